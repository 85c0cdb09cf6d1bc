/// One challenge of a `WWW-Authenticate` header (RFC 9110, section 11.6.1):
/// a scheme (`Basic`, `Bearer`) and its parameters, or its token68.
///
/// ```
/// WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry.example",scope="repository:lab/x:pull"
/// ```
///
/// ``parse(_:)`` reads every challenge of a header; it is strict (a
/// malformed header is an ``OCIError``, never a guess) and bounded
/// (``maximumHeaderLength``, ``maximumChallenges``, ``maximumParameters``).
struct AuthenticationChallenge: Sendable, Hashable {
    /// The scheme, in lower case: `basic`, `bearer`.
    var scheme: String
    /// The parameters, their names in lower case, their values unquoted.
    var parameters: [String: String]
    /// The token68 a challenge carries instead of parameters (`Negotiate YII=`).
    var token68: String?

    /// The longest header read.
    static let maximumHeaderLength = 8192
    /// The most challenges in one header.
    static let maximumChallenges = 16
    /// The most parameters of one challenge.
    static let maximumParameters = 32

    /// The challenges of a `WWW-Authenticate` header, in order.
    ///
    /// - Throws: ``OCIError`` with code `malformed` when the header is
    ///   empty, too long, or not RFC 9110's grammar (an unterminated
    ///   quoted string, a control character, a parameter named twice).
    static func parse(_ header: String) throws(OCIError) -> [AuthenticationChallenge] {
        var scanner = Scanner(header)
        do throws(Scanner.Failure) {
            guard header.utf8.count <= maximumHeaderLength else {
                throw Scanner.Failure("it has \(header.utf8.count) bytes, more than \(maximumHeaderLength)")
            }
            let challenges = try scanner.challenges()
            guard !challenges.isEmpty else { throw Scanner.Failure("it names no scheme") }
            return challenges
        } catch {
            let shown = String(header.unicodeScalars.prefix(200).map { $0.isPrintableASCII ? Character($0) : "?" })
            throw OCIError(
                .malformed,
                "the registry sent a malformed WWW-Authenticate header (\(error.reason)): \(shown)"
            )
        }
    }

    /// A recursive-descent reader over the header's bytes.
    private struct Scanner {
        struct Failure: Error {
            var reason: String
            init(_ reason: String) { self.reason = reason }
        }

        let bytes: [UInt8]
        var index = 0

        init(_ header: String) { bytes = Array(header.utf8) }

        func describe(_ byte: UInt8) -> String {
            (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 { index += 1 }
        }

        /// Skips whitespace and empty list elements (`, ,`), as RFC 9110's `#rule` allows.
        mutating func skipSeparators() {
            skipWhitespace()
            while current == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            }
        }

        mutating func challenges() throws(Failure) -> [AuthenticationChallenge] {
            var challenges: [AuthenticationChallenge] = []
            skipSeparators()
            while current != nil {
                guard challenges.count < AuthenticationChallenge.maximumChallenges else {
                    throw Failure("more than \(AuthenticationChallenge.maximumChallenges) challenges")
                }
                challenges.append(try challenge())
                skipSeparators()
            }
            return challenges
        }

        /// `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, up to the next challenge.
        mutating func challenge() throws(Failure) -> AuthenticationChallenge {
            let scheme = try token(what: "a scheme").lowercased()
            var challenge = AuthenticationChallenge(scheme: scheme, parameters: [:])
            let afterScheme = index
            skipWhitespace()
            guard current != nil, current != UInt8(ascii: ","), index > afterScheme else { return challenge }
            if let token68 = token68() {
                challenge.token68 = token68
                return challenge
            }
            while let name = parameterName() {
                guard challenge.parameters.count < AuthenticationChallenge.maximumParameters else {
                    throw Failure("more than \(AuthenticationChallenge.maximumParameters) parameters")
                }
                skipWhitespace()
                let value = current == UInt8(ascii: "\"") ? try quotedString() : try token(what: "the value of \(name)")
                guard challenge.parameters.updateValue(value, forKey: name) == nil else {
                    throw Failure("the parameter \(name) is given twice")
                }
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { break }
                // The next element is another parameter, or the next challenge's scheme.
                let comma = index
                skipSeparators()
                if current == nil || !isParameterNext() {
                    index = comma
                    break
                }
            }
            skipWhitespace()
            guard current == nil || current == UInt8(ascii: ",") else {
                throw Failure("unexpected \(describe(bytes[index])) at byte \(index)")
            }
            if challenge.parameters.isEmpty {
                throw Failure("the scheme \(scheme) is followed by neither parameters nor a token")
            }
            return challenge
        }

        /// Whether a parameter (`name=`) starts here rather than a scheme.
        mutating func isParameterNext() -> Bool {
            let start = index
            defer { index = start }
            return parameterName() != nil
        }

        /// `token BWS "="`, the name in lower case; `nil` (nothing read) when there is none.
        mutating func parameterName() -> String? {
            let start = index
            guard let name = try? token(what: "a parameter") else {
                index = start
                return nil
            }
            skipWhitespace()
            // `name==` is a token68's padding, not a parameter.
            guard current == UInt8(ascii: "="), index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "=") else {
                index = start
                return nil
            }
            index += 1
            return name.lowercased()
        }

        /// `token68` when it is the whole rest of the challenge; `nil` (nothing read) otherwise.
        mutating func token68() -> String? {
            let start = index
            while let byte = current, byte.isToken68 { index += 1 }
            guard index > start else { return nil }
            while current == UInt8(ascii: "=") { index += 1 }
            let end = index
            skipWhitespace()
            guard current == nil || current == UInt8(ascii: ",") else {
                index = start
                return nil
            }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        /// `1*tchar`.
        mutating func token(what: String) throws(Failure) -> String {
            let start = index
            while let byte = current, byte.isTokenCharacter { index += 1 }
            guard index > start else {
                throw Failure(
                    current.map { "expected \(what) at byte \(index), found \(describe($0))" }
                        ?? "expected \(what) at the end"
                )
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// `DQUOTE *( qdtext / quoted-pair ) DQUOTE`, unescaped.
        mutating func quotedString() throws(Failure) -> String {
            let open = index
            index += 1
            var value: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = current, escaped == 0x09 || escaped >= 0x20, escaped != 0x7F else {
                        throw Failure("a backslash at the end of a quoted string, or before a control character")
                    }
                    value.append(escaped)
                    index += 1
                case 0x09, 0x20...0x7E, 0x80...0xFF:
                    value.append(byte)
                default:
                    throw Failure("a control character (\(describe(byte))) in a quoted string")
                }
            }
            throw Failure("the quoted string at byte \(open) does not end")
        }
    }
}

extension UInt8 {
    /// RFC 9110's `tchar`.
    fileprivate var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(self)
        }
    }

    /// RFC 9110's `token68` characters, before its `=` padding.
    fileprivate var isToken68: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("-._~+/".utf8).contains(self)
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isPrintableASCII: Bool { (0x20...0x7E).contains(value) }
}
