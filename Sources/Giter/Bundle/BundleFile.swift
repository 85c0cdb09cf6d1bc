/// A Git bundle (`gitformat-bundle(5)`): a header that names the commits
/// the receiver must already have (prerequisites) and the refs the bundle
/// brings, then a pack of the objects.
///
/// Version 2 is written (what `git bundle create` writes for SHA-1
/// repositories, read by `git bundle verify` and `git fetch FILE`); versions
/// 2 and 3 are read. A version 3 bundle may name the object format (SHA-1
/// only) and nothing else: a capability Giter does not know, such as a
/// filter, makes the bundle unreadable, as the format requires.
public struct BundleFile: Sendable, Hashable {
    /// A commit the receiver must have, with the text after its id (its subject, by convention).
    public struct Prerequisite: Sendable, Hashable {
        public var id: ObjectID
        public var comment: String
        public init(id: ObjectID, comment: String) {
            self.id = id
            self.comment = comment
        }
    }

    /// A ref the bundle brings: its full name and the object it points at.
    public struct Reference: Sendable, Hashable {
        public var id: ObjectID
        public var name: String
        public init(id: ObjectID, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// The most bytes a header may take before its pack: far more than a
    /// bundle of one exchange needs (a few refs), and a bound on what a
    /// malformed file can make the reader hold.
    public static let maximumHeaderSize = 64 * 1024

    public var prerequisites: [Prerequisite]
    public var references: [Reference]
    /// The pack, from its `PACK` signature to its trailing checksum.
    public var pack: [UInt8]

    public init(prerequisites: [Prerequisite], references: [Reference], pack: [UInt8]) {
        self.prerequisites = prerequisites
        self.references = references
        self.pack = pack
    }

    /// The bundle's bytes, version 2.
    public func encoded() -> [UInt8] {
        var header = "# v2 git bundle\n"
        for prerequisite in prerequisites {
            header += "-\(prerequisite.id.hex)"
            let comment = Self.oneLine(prerequisite.comment)
            if !comment.isEmpty { header += " " + comment }
            header += "\n"
        }
        for reference in references { header += "\(reference.id.hex) \(reference.name)\n" }
        header += "\n"
        return Array(header.utf8) + pack
    }

    /// Reads a bundle's header and splits off its pack; the pack itself is
    /// checked by the backend that stores it (``Transport/storePack(_:)``).
    ///
    /// - Throws: ``BundleError`` with code ``BundleError/Code/malformed``
    ///   saying which line is wrong.
    public init(decoding bytes: [UInt8]) throws(BundleError) {
        var lines: [(number: Int, text: String)] = []
        var start = 0
        var end: Int?
        while start < bytes.count {
            let limit = min(bytes.count, Self.maximumHeaderSize)
            guard start < limit, let newline = bytes[start..<limit].firstIndex(of: 0x0A) else {
                throw BundleError(
                    .malformed,
                    start == 0 && bytes.count < 16
                        ? "the file is not a Git bundle: it ends before its first line"
                        : "the bundle's header does not end within \(Self.maximumHeaderSize) bytes: the file is "
                            + "truncated, or it is not a Git bundle")
            }
            if newline == start {
                end = newline + 1
                break
            }
            lines.append((lines.count + 1, String(decoding: bytes[start..<newline], as: UTF8.self)))
            start = newline + 1
        }
        guard let first = lines.first else {
            throw BundleError(.malformed, "the file is not a Git bundle: it starts with a blank line")
        }
        let version: Int
        switch first.text {
        case "# v2 git bundle": version = 2
        case "# v3 git bundle": version = 3
        default:
            throw BundleError(
                .malformed,
                "line 1 is '\(Self.excerpt(first.text))', not '# v2 git bundle' or '# v3 git bundle': the file is not "
                    + "a Git bundle Giter reads")
        }
        guard let end else {
            throw BundleError(.malformed, "the bundle's header has no blank line before its pack: the file is truncated")
        }
        var prerequisites: [Prerequisite] = []
        var references: [Reference] = []
        for line in lines.dropFirst() {
            if line.text.hasPrefix("@") {
                guard version == 3, references.isEmpty, prerequisites.isEmpty else {
                    throw BundleError(.malformed, "line \(line.number): a capability stands after the list of commits or in a version 2 bundle")
                }
                guard line.text == "@object-format=sha1" else {
                    throw BundleError(
                        .malformed,
                        "line \(line.number): the capability '\(Self.excerpt(line.text))' is not one Giter supports "
                            + "(only @object-format=sha1): Giter does not read filtered or SHA-256 bundles")
                }
                continue
            }
            if line.text.hasPrefix("-") {
                let rest = line.text.dropFirst()
                let hex = rest.prefix(while: { $0 != " " })
                guard let id = ObjectID(hex: String(hex)), hex.count == 40 else {
                    throw BundleError(.malformed, "line \(line.number): '\(Self.excerpt(line.text))' does not start with a commit id after '-'")
                }
                guard references.isEmpty else {
                    throw BundleError(.malformed, "line \(line.number): a prerequisite stands after the bundle's refs")
                }
                prerequisites.append(Prerequisite(id: id, comment: String(rest.dropFirst(hex.count).drop(while: { $0 == " " }))))
                continue
            }
            let parts = line.text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let id = ObjectID(hex: String(parts[0])), parts[0].count == 40,
                parts[1].hasPrefix("refs/"), !parts[1].contains(" ")
            else {
                throw BundleError(
                    .malformed, "line \(line.number): '\(Self.excerpt(line.text))' is not '<commit id> refs/<name>'")
            }
            references.append(Reference(id: id, name: String(parts[1])))
        }
        guard !references.isEmpty else { throw BundleError(.malformed, "the bundle names no ref") }
        let pack = Array(bytes[end...])
        guard pack.count >= 32, pack.starts(with: Array("PACK".utf8)) else {
            throw BundleError(.malformed, "the bundle holds no pack after its header: the file is truncated")
        }
        self.init(prerequisites: prerequisites, references: references, pack: pack)
    }

    /// The commit `name` points at in this bundle; `nil` when it brings no such ref.
    public func reference(named name: String) -> ObjectID? {
        references.first(where: { $0.name == name })?.id
    }

    private static func oneLine(_ text: String) -> String {
        String(text.prefix(while: { $0 != "\n" && $0 != "\r" }).prefix(200))
    }

    private static func excerpt(_ text: String) -> String {
        let scalars = text.unicodeScalars.prefix(80).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }
        return String(scalars) + (text.unicodeScalars.count > 80 ? "…" : "")
    }
}
