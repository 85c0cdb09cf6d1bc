import Giter

/// The kinds an exchange repository holds, from the paths of its resource
/// files, and the resolution of a kind as typed on the command line.
///
/// `Experiment`, `experiment`, `EXPERIMENT`, `experiments` and (for a kind
/// ending in `y` such as `Policy`) `policies` all name the kind
/// `Experiment` or `Policy`.
struct KindCatalog {
    /// Kinds with live resources, and the namespaces that hold them.
    private(set) var live: [String: Set<String>] = [:]
    /// Kinds with archived resources, and the namespaces that hold them.
    private(set) var archived: [String: Set<String>] = [:]

    /// A catalog from the paths under `resources/` and `archive/`.
    init(live livePaths: [String], archived archivedPaths: [String]) {
        for path in livePaths { Self.add(path, to: &live) }
        for path in archivedPaths { Self.add(path, to: &archived) }
    }

    private static func add(_ path: String, to kinds: inout [String: Set<String>]) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[4].hasSuffix(".\(ResourceKey.fileExtension)") else { return }
        kinds[String(parts[2]), default: []].insert(String(parts[1]))
    }

    /// Every kind, live or archived, sorted.
    var kinds: [String] { Set(live.keys).union(archived.keys).sorted() }

    /// Whether the repository holds resources of `kind`, live or archived.
    func contains(_ kind: String) -> Bool { live[kind] != nil || archived[kind] != nil }

    /// The kind `typed` names.
    ///
    /// - Throws: ``ToolError`` when none or several match.
    func resolve(_ typed: String) throws -> String {
        let all = kinds
        if all.contains(typed) { return typed }
        let matches = all.filter { Self.spellings(of: $0).contains(typed.lowercased()) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw ToolError(
                "kind '\(typed)' is ambiguous: it could be \(matches.joined(separator: ", ")); write the kind exactly"
            )
        }
        throw unknownKindError(typed)
    }

    /// The error for a kind the repository does not hold.
    func unknownKindError(_ typed: String) -> ToolError {
        let known = kinds
        let holds =
            known.isEmpty
            ? "the exchange holds no resources yet" : "the exchange holds \(known.joined(separator: ", "))"
        return ToolError(
            "unknown kind '\(typed)': \(holds); check the spelling, or apply a resource of that kind first"
        )
    }

    /// The lowercase spellings of a kind: singular and plural.
    static func spellings(of kind: String) -> Set<String> {
        let lower = kind.lowercased()
        var result: Set<String> = [lower, lower + "s"]
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            result.insert(lower + "es")
        }
        if lower.hasSuffix("y"), let last = lower.dropLast().last, !"aeiou".contains(last) {
            result.insert(lower.dropLast() + "ies")
        }
        return result
    }

    /// Whether `text` is a valid kind: an uppercase ASCII letter, then
    /// letters and digits.
    static func isValidKind(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        do throws(ValidationErrors) {
            try ResourceKey(namespace: "default", kind: text, name: "name").validate()
            return true
        } catch {
            return false
        }
    }
}
