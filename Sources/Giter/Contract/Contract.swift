import GiterCodec
public import GiterSchema

/// The rules in force for one commit: the exchange policy and the
/// CustomResourceDefinitions in its parent's `.giter/` folder.
///
/// With no policy file the exchange is *open*: roles come from
/// ``StoreOptions/roles`` (``RoleAssignments``) as they did before
/// policies, paths outside `resources/` and `archive/` are not checked, and
/// `giter verify` says so on every run. Definitions, when present, are
/// enforced either way.
public struct Contract: Sendable {
    /// The folder the contract lives in.
    public static let folder = ".giter"
    /// The folder of the CustomResourceDefinitions.
    public static let definitionsFolder = ".giter/crds"

    /// The policy; `nil` for an open exchange.
    public let policy: ExchangePolicy?
    /// Roles for an open exchange.
    public let roles: RoleAssignments
    /// The definitions, by `group/kind`.
    let definitions: [String: CustomResourceDefinition]
    /// Which definition file each came from.
    let definitionFiles: [String: String]
    /// What the definitions declare that Giter does not enforce, once each: `FILE: FIELD: FEATURE`.
    public let notEnforced: [String]

    /// An open contract with no definitions.
    public static func open(roles: RoleAssignments) -> Contract {
        Contract(policy: nil, roles: roles, definitions: [:], definitionFiles: [:], notEnforced: [])
    }

    init(
        policy: ExchangePolicy?, roles: RoleAssignments, definitions: [String: CustomResourceDefinition],
        definitionFiles: [String: String], notEnforced: [String]
    ) {
        self.policy = policy
        self.roles = roles
        self.definitions = definitions
        self.definitionFiles = definitionFiles
        self.notEnforced = notEnforced
    }

    /// The contract the files of `.giter/` make: `files` maps repository
    /// paths under ``folder`` to their contents.
    ///
    /// - Throws: ``ContractError`` when the policy or a definition cannot be
    ///   read, or two definitions name the same kind: a contract that cannot
    ///   be read never passes anything.
    public static func load(files: [String: [UInt8]], roles: RoleAssignments = .open) throws(ContractError) -> Contract {
        var policy: ExchangePolicy?
        if let bytes = files[ExchangePolicy.path] {
            policy = try ExchangePolicy.parse(bytes)
        }
        var definitions: [String: CustomResourceDefinition] = [:]
        var definitionFiles: [String: String] = [:]
        var notEnforced: [String] = []
        for path in files.keys.sorted() where isDefinitionFile(path) {
            let documents: [Node]
            do {
                documents = try YAMLReader().read(files[path] ?? [])
            } catch let error as CodecError {
                throw ContractError(file: path, location: error.location, message: error.message)
            } catch {
                throw ContractError(file: path, location: nil, message: "\(error)")
            }
            for document in documents where !document.isNull {
                let definition: CustomResourceDefinition
                do {
                    definition = try CustomResourceDefinition(document, file: path)
                } catch {
                    throw ContractError(file: error.file, location: error.location, message: error.message)
                }
                let name = "\(definition.group)/\(definition.kind)"
                if let other = definitionFiles[name] {
                    throw ContractError(
                        file: path, location: document.location,
                        message: "\(definition.kind) of \(definition.group) is defined twice (also in \(other)); keep one definition")
                }
                definitions[name] = definition
                definitionFiles[name] = path
                notEnforced += definition.notEnforced.map { "\(path): \($0)" }
            }
        }
        return Contract(
            policy: policy, roles: roles, definitions: definitions, definitionFiles: definitionFiles, notEnforced: notEnforced)
    }

    /// Whether `path` holds a CustomResourceDefinition (`.giter/crds/*.yaml` or `*.yml`).
    static func isDefinitionFile(_ path: String) -> Bool {
        guard path.hasPrefix(definitionsFolder + "/") else { return false }
        let name = path.dropFirst(definitionsFolder.count + 1)
        return !name.contains("/") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
    }

    /// Whether a change to `path` can change the contract.
    static func isContractFile(_ path: String) -> Bool {
        path == ExchangePolicy.path || isDefinitionFile(path)
    }

    /// The served version of the definition for `apiVersion` (`group/version`) and `kind`.
    public func definition(apiVersion: String, kind: String) -> Lookup {
        guard let slash = apiVersion.lastIndex(of: "/") else { return .none }
        let group = String(apiVersion[..<slash])
        let version = String(apiVersion[apiVersion.index(after: slash)...])
        guard let definition = definitions["\(group)/\(kind)"] else { return .none }
        guard let served = definition.version(named: version), served.served else {
            return .versionNotServed(definition.versions.filter(\.served).map(\.name))
        }
        return .found(served)
    }

    /// Whether any definition exists for `kind`, in any group.
    func defines(kind: String) -> Bool {
        definitions.values.contains { $0.kind == kind }
    }

    /// What ``definition(apiVersion:kind:)`` finds.
    public enum Lookup: Sendable {
        case found(CustomResourceVersion)
        /// A definition of the kind exists, but it does not serve that version.
        case versionNotServed([String])
        case none
    }
}
