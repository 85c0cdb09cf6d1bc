import GiterCodec

/// The `format`s Giter checks. A format not listed here is reported as not
/// enforced.
///
/// Numeric formats (`int32`, `int64`, `float`, `double`) apply to numbers;
/// the others to strings. As with Kubernetes, a format never applies to a
/// value of the other kind (its `type` decides that).
enum SchemaFormat: String, Sendable, CaseIterable {
    case int32, int64, float, double
    case byte, date, dateTime = "date-time", uuid, uuid3, uuid4, uuid5
    case email, hostname, ipv4, ipv6, cidr, mac, uri, password

    /// Whether `number` has this format; `true` for a string format.
    func accepts(_ number: Node.Number) -> Bool {
        switch self {
        case .int32: return number.isInteger && number.integer(as: Int32.self) != nil
        case .int64: return number.isInteger && number.integer(as: Int64.self) != nil
        case .float:
            let value = number.doubleValue
            return value.isFinite && abs(value) <= Double(Float.greatestFiniteMagnitude)
        case .double: return number.doubleValue.isFinite
        default: return true
        }
    }

    /// Whether `text` has this format; `true` for a numeric format.
    func accepts(_ text: String) -> Bool {
        switch self {
        case .int32, .int64, .float, .double, .password: return true
        case .byte: return Self.isBase64(text)
        case .date: return Self.isDate(Array(text.utf8)[...])
        case .dateTime: return RFC3339.date(from: text) != nil
        case .uuid: return Self.uuidVersion(text) != nil
        case .uuid3: return Self.uuidVersion(text) == UInt8(ascii: "3")
        case .uuid4: return Self.uuidVersion(text) == UInt8(ascii: "4")
        case .uuid5: return Self.uuidVersion(text) == UInt8(ascii: "5")
        case .email: return Self.isEmail(text)
        case .hostname: return Self.isHostname(text)
        case .ipv4: return Self.isIPv4(Array(text.utf8)[...])
        case .ipv6: return Self.isIPv6(text)
        case .cidr: return Self.isCIDR(text)
        case .mac: return Self.isMAC(text)
        case .uri: return Self.isURI(text)
        }
    }

    // MARK: Checks

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) }
    private static func isAlpha(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }

    /// Standard base64 with padding (RFC 4648 §4), as Go's `base64.StdEncoding`.
    private static func isBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return false }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return false }
        return bytes.dropLast(padding).allSatisfy {
            isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/")
        }
    }

    /// `YYYY-MM-DD` naming a day that exists.
    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10, bytes[bytes.startIndex + 4] == UInt8(ascii: "-"),
            bytes[bytes.startIndex + 7] == UInt8(ascii: "-")
        else { return false }
        func number(_ from: Int, _ count: Int) -> Int? {
            let digits = bytes[(bytes.startIndex + from)..<(bytes.startIndex + from + count)]
            guard digits.allSatisfy(isDigit) else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// `8-4-4-4-12` hexadecimal digits; returns the version digit.
    private static func uuidVersion(_ text: String) -> UInt8? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else if !isHex(byte) {
                return nil
            }
        }
        return bytes[14]
    }

    /// `local@domain`: a non-empty local part without spaces, `@` or `<>`, and a hostname.
    private static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let localOK = parts[0].utf8.allSatisfy {
            $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
        }
        return localOK && isHostname(String(parts[1])) && parts[1].contains(".")
    }

    /// An RFC 1123 host name: dot-separated labels of 1–63 letters, digits
    /// and `-`, not starting or ending with `-`; at most 253 characters.
    private static func isHostname(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// Four decimal octets, without leading zeros (as Go's `net.ParseIP`).
    private static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let octets = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(isDigit)
                    && (octet.count == 1 || octet.first != UInt8(ascii: "0"))
                    && octet.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 255
            }
    }

    /// An IPv6 address (RFC 4291 text form), with at most one `::` and an
    /// optional IPv4 tail.
    private static func isIPv6(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: ":")), bytes.count <= 45 else { return false }
        var doubleColons: [Int] = []
        for index in bytes.indices.dropLast() where bytes[index] == 0x3A && bytes[index + 1] == 0x3A {
            doubleColons.append(index)
        }
        func groups(_ part: ArraySlice<UInt8>, allowIPv4Tail: Bool) -> Int? {
            if part.isEmpty { return 0 }
            var count = 0
            let pieces = part.split(separator: 0x3A, omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(UInt8(ascii: ".")) {
                    guard isIPv4(piece) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(isHex) else { return nil }
                    count += 1
                }
            }
            return count
        }
        switch doubleColons.count {
        case 0: return groups(bytes[...], allowIPv4Tail: true) == 8
        case 1:
            let split = doubleColons[0]
            guard let head = groups(bytes[..<split], allowIPv4Tail: false),
                let tail = groups(bytes[(split + 2)...], allowIPv4Tail: true)
            else { return false }
            return head + tail <= 7
        default: return false
        }
    }

    /// An address and a prefix length: `10.0.0.0/8`, `fd00::/64`.
    private static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...3).contains(parts[1].utf8.count), parts[1].utf8.allSatisfy(isDigit),
            let prefix = Int(parts[1])
        else { return false }
        if isIPv4(Array(parts[0].utf8)[...]) { return prefix <= 32 }
        return isIPv6(String(parts[0])) && prefix <= 128
    }

    /// Six (or eight, or twenty) hexadecimal byte pairs separated by `:` or `-`.
    private static func isMAC(_ text: String) -> Bool {
        for separator in [Character(":"), Character("-")] {
            let pairs = text.split(separator: separator, omittingEmptySubsequences: false)
            if [6, 8, 20].contains(pairs.count), pairs.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy(isHex) }) {
                return true
            }
        }
        return false
    }

    /// An absolute URI: a scheme (a letter, then letters, digits, `+`, `-`,
    /// `.`), `:`, then printable ASCII without spaces.
    private static func isURI(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, isAlpha(bytes[0]) else { return false }
        let schemeOK = bytes[..<colon].allSatisfy {
            isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
        let rest = bytes[(colon + 1)...]
        return schemeOK && !rest.isEmpty && rest.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
