/// Git's syntax for configuration values (`git-config(1)`, "Values"), for
/// the settings the local-Git rules read. A value Git would not accept is
/// nil, never a guess: the callers then fail closed.
package enum GitConfigValue {
    /// A boolean: `true`, `yes`, `on`, `false`, `no`, `off`, the empty
    /// string or an integer (nonzero is true), case-insensitively; a bare
    /// key (nil) is true. Nil for anything else.
    package static func boolean(_ value: String?) -> Bool? {
        guard let value else { return true }
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off", "": return false
        default: return integer(value).map { $0 != 0 }
        }
    }

    /// An integer, optionally signed, with an optional unit suffix `k`,
    /// `m` or `g` (×1024, ×1024², ×1024³, case-insensitive). Nil for
    /// anything else, a bare key (nil) or a value out of range.
    package static func integer(_ value: String?) -> Int? {
        guard let value, !value.isEmpty else { return nil }
        var text = Substring(value)
        var scale = 1
        switch text.last?.lowercased() {
        case "k": scale = 1 << 10
        case "m": scale = 1 << 20
        case "g": scale = 1 << 30
        default: break
        }
        if scale != 1 { text.removeLast() }
        guard let number = Int(text) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
}
