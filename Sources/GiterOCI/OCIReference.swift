import Foundation

/// Where an exchange is published: `host[:port]/repository[:tag]`, as
/// `docker` and `oras` write it (`registry.example:5000/lab/exchange:latest`).
///
/// The repository is one or more `/`-separated components of lower-case
/// letters and digits joined by `.`, `_`, `__` or `-`; the tag is 1 to 128
/// letters, digits, `_`, `.` or `-`, not starting with `.` or `-`
/// (the OCI distribution specification's rules). A digest reference
/// (`@sha256:…`) is not accepted: a follower follows a tag.
public struct OCIReference: Sendable, Hashable, CustomStringConvertible {
    /// `host` or `host:port`.
    public var host: String
    /// The repository's name in the registry, such as `lab/exchange`.
    public var repository: String
    /// The tag; `latest` when the reference names none.
    public var tag: String

    public init(host: String, repository: String, tag: String = "latest") throws(OCIError) {
        try Self.checkHost(host)
        try Self.checkRepository(repository)
        try Self.checkTag(tag)
        self.host = host
        self.repository = repository
        self.tag = tag
    }

    /// Reads `host[:port]/repository[:tag]`.
    public init(parsing text: String) throws(OCIError) {
        guard !text.contains("@") else {
            throw OCIError(.invalidReference, "'\(text)': give a tag (host/repository:tag), not a digest")
        }
        guard let slash = text.firstIndex(of: "/") else {
            throw OCIError(
                .invalidReference, "'\(text)' names no registry: write it as host[:port]/repository[:tag]")
        }
        let host = String(text[..<slash])
        var path = String(text[text.index(after: slash)...])
        var tag = "latest"
        if let colon = path.lastIndex(of: ":") {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        }
        try self.init(host: host, repository: path, tag: tag)
    }

    /// The same repository under another tag.
    public func with(tag: String) throws(OCIError) -> OCIReference {
        try OCIReference(host: host, repository: repository, tag: tag)
    }

    public var description: String { "\(host)/\(repository):\(tag)" }

    /// `host`, `host:port` or `[IPv6]:port`: letters, digits, `.`, `-`,
    /// `:`, and `[`/`]` only where a URL takes them (``OCIRegistry`` builds
    /// its URLs from the host).
    static func checkHost(_ host: String) throws(OCIError) {
        let bytes = Array(host.utf8)
        let allowed = bytes.allSatisfy {
            isLowerAlphanumeric($0) || isUpper($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]")
        }
        guard (1...255).contains(bytes.count), allowed,
            let components = URLComponents(string: "https://" + host + "/v2/"),
            let name = components.host, !name.isEmpty, components.path == "/v2/",
            components.user == nil, components.password == nil,
            components.port.map({ (1...65535).contains($0) }) ?? !host.hasSuffix(":")
        else {
            throw OCIError(
                .invalidReference,
                "'\(host.prefix(80))' is not a registry host: give host, host:port or [IPv6 address]:port")
        }
    }

    static func checkRepository(_ repository: String) throws(OCIError) {
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        let valid = repository.utf8.count <= 255 && !components.isEmpty && components.allSatisfy { component in
            let bytes = Array(component.utf8)
            guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last)
            else { return false }
            var separatorRun = 0
            for byte in bytes {
                if isLowerAlphanumeric(byte) {
                    separatorRun = 0
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                    separatorRun += 1
                    // `__` is a separator; `-` may repeat; anything else once.
                    if separatorRun > 1 && byte != UInt8(ascii: "-") && !(separatorRun == 2 && byte == UInt8(ascii: "_")) {
                        return false
                    }
                } else {
                    return false
                }
            }
            return true
        }
        guard valid else {
            throw OCIError(
                .invalidReference,
                "'\(repository)' is not a registry repository name: use lower-case letters and digits, separated by "
                    + "'.', '_', '-' or '/'")
        }
    }

    static func checkTag(_ tag: String) throws(OCIError) {
        let bytes = Array(tag.utf8)
        guard (1...128).contains(bytes.count), let first = bytes.first,
            isLowerAlphanumeric(first) || isUpper(first) || first == UInt8(ascii: "_"),
            bytes.allSatisfy({
                isLowerAlphanumeric($0) || isUpper($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
            })
        else {
            throw OCIError(
                .invalidReference, "'\(tag)' is not a tag: use 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
}
