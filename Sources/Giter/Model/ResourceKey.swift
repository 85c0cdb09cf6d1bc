/// What identifies a resource in an exchange repository: its namespace,
/// kind and name.
///
/// A key maps to one file in the repository:
///
/// ```
/// resources/<namespace>/<kind>/<bucket>/<name>.yaml    live exchanges
/// archive/<namespace>/<kind>/<bucket>/<name>.yaml      completed exchanges, when archived
/// ```
///
/// `<bucket>` is ``bucket``: two hexadecimal digits computed from the name,
/// which spread a kind's files over at most 256 folders. A commit then
/// rewrites only small trees and a diff skips every folder whose tree id did
/// not change, even when a namespace holds 100,000 resources of one kind
/// (see `Documentation/RepositoryLayout.md`).
///
/// The kind is used as given, in its UpperCamelCase form (`resources/reports/Job/3c/nightly.yaml`):
/// it is the spelling people read in the resource, and ``validate()`` keeps
/// it to ASCII letters and digits. Namespaces and names follow Kubernetes'
/// RFC 1123 rules, so once a key is valid none of its parts can be empty,
/// contain `/`, or be `.`, `..` or `.git`: a path never escapes its folder.
public struct ResourceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The folder of live exchanges at the root of the repository.
    public static let resourcesFolder = "resources"
    /// The folder of archived exchanges at the root of the repository.
    public static let archiveFolder = "archive"
    /// The extension of resource files.
    public static let fileExtension = "yaml"

    /// The namespace (an RFC 1123 label).
    public var namespace: String
    /// The kind (UpperCamelCase, for example `Job`).
    public var kind: String
    /// The name (an RFC 1123 subdomain).
    public var name: String

    /// A key from its parts. The parts are not checked; call ``validate()``.
    public init(namespace: String, kind: String, name: String) {
        self.namespace = namespace
        self.kind = kind
        self.name = name
    }

    /// The key of a live resource file, `resources/<namespace>/<kind>/<bucket>/<name>.yaml`;
    /// `nil` when `repositoryPath` is not such a path or a part is not valid.
    public init?(repositoryPath: String) {
        self.init(path: repositoryPath, folder: Self.resourcesFolder)
    }

    /// The key of an archived resource file, `archive/<namespace>/<kind>/<bucket>/<name>.yaml`;
    /// `nil` when `archivePath` is not such a path or a part is not valid.
    public init?(archivePath: String) {
        self.init(path: archivePath, folder: Self.archiveFolder)
    }

    private init?(path: String, folder: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let suffix = "." + Self.fileExtension
        guard parts.count == 5, parts[0] == folder, parts[4].hasSuffix(suffix) else { return nil }
        self.init(namespace: String(parts[1]), kind: String(parts[2]), name: String(parts[4].dropLast(suffix.count)))
        guard parts[3] == bucket, (try? validate()) != nil else { return nil }
    }

    /// The fan-out folder of the key's file: the low byte of the 32-bit
    /// FNV-1a hash of the name's UTF-8 bytes, as two lowercase hexadecimal
    /// digits. The function is fixed: every version of Giter, on every
    /// platform, puts a name in the same bucket.
    public var bucket: String {
        let low = UInt8(nameHash & 0xff)
        func digit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x61 + value - 10 }
        return String(decoding: [digit(low >> 4), digit(low & 0xf)], as: UTF8.self)
    }

    /// The 32-bit FNV-1a hash of the name's UTF-8 bytes: the fan-out
    /// folder is its low byte, a shard (``ShardCoordinator``) a range of it.
    var nameHash: UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }

    /// `namespace/kind/name`.
    public var description: String { "\(namespace)/\(kind)/\(name)" }

    /// The path of the live resource file: `resources/<namespace>/<kind>/<bucket>/<name>.yaml`.
    ///
    /// Only a valid key (see ``validate()``) gives a safe path.
    public var repositoryPath: String { path(in: Self.resourcesFolder) }

    /// The path of the archived resource file: `archive/<namespace>/<kind>/<bucket>/<name>.yaml`.
    ///
    /// Only a valid key (see ``validate()``) gives a safe path.
    public var archivePath: String { path(in: Self.archiveFolder) }

    private func path(in folder: String) -> String {
        "\(folder)/\(namespace)/\(kind)/\(bucket)/\(name).\(Self.fileExtension)"
    }

    /// Orders keys by namespace, then kind, then name.
    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        (lhs.namespace, lhs.kind, lhs.name) < (rhs.namespace, rhs.kind, rhs.name)
    }

    /// Checks the parts with the rules of ``CustomResource/validate()``,
    /// reporting them as `metadata.namespace`, `kind` and `metadata.name`.
    ///
    /// - Throws: ``ValidationErrors`` listing every part that breaks a rule.
    public func validate() throws(ValidationErrors) {
        var errors: [ValidationError] = []
        errors.append(contentsOf: NameRules.checkNamespace(namespace, field: "metadata.namespace"))
        errors.append(contentsOf: NameRules.checkKind(kind, field: "kind"))
        errors.append(contentsOf: NameRules.checkName(name, field: "metadata.name"))
        if !errors.isEmpty { throw ValidationErrors(errors) }
    }
}
