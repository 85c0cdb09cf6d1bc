public import GiterCodec

extension ExchangePolicy {
    /// Where the policy lives in an exchange repository.
    public static let path = ".giter/policy.yaml"
    /// The policy's `apiVersion` and `kind`.
    public static let apiVersion = "giter.dev/v1alpha1"
    public static let kind = "ExchangePolicy"

    /// Reads a policy file.
    ///
    /// - Returns: `nil` when the file holds no document (only comments: the
    ///   inactive template `giter init` writes without `--admin`).
    /// - Throws: ``ContractError`` for anything else that is not a valid
    ///   policy: unknown fields, wrong shapes, a bad party name or role.
    public static func parse(_ bytes: [UInt8], file: String = ExchangePolicy.path) throws(ContractError) -> ExchangePolicy? {
        let documents: [Node]
        do {
            documents = try YAMLReader().read(bytes).filter { !$0.isNull }
        } catch let error as CodecError {
            throw ContractError(file: file, location: error.location, message: error.message)
        } catch {
            throw ContractError(file: file, location: nil, message: "\(error)")
        }
        // Only comments (or nothing): the inactive template.
        guard let node = documents.first else { return nil }
        guard documents.count == 1 else {
            throw ContractError(
                file: file, location: documents[1].location,
                message: "a policy file holds one YAML document, found \(documents.count); keep one policy")
        }
        return try ExchangePolicy(node, file: file)
    }

    /// A policy from its document.
    public init(_ node: Node, file: String = ExchangePolicy.path) throws(ContractError) {
        let root = try StrictMapping(node, file: file, field: "")
        try root.onlyKeys(["apiVersion", "kind", "metadata", "spec"])
        guard try root.requiredString("apiVersion") == Self.apiVersion else {
            throw ContractError(file: file, location: root.location(of: "apiVersion"), message: "apiVersion: must be \(Self.apiVersion)")
        }
        guard try root.requiredString("kind") == Self.kind else {
            throw ContractError(file: file, location: root.location(of: "kind"), message: "kind: must be \(Self.kind)")
        }
        let spec = try StrictMapping(try root.required("spec"), file: file, field: "spec")
        try spec.onlyKeys(["parties", "requireSignatures", "unknownKinds", "refs"])
        var parties: [Party] = []
        var names: Set<String> = []
        var keyIDs: [String: [UInt8]] = [:]
        for (index, item) in (try spec.sequence("parties") ?? []).enumerated() {
            let party = try Party(item, file: file, field: "spec.parties[\(index)]")
            guard names.insert(party.name).inserted else {
                throw ContractError(file: file, location: item.location, message: "spec.parties[\(index)].name: Duplicate value: \"\(party.name)\"")
            }
            // One id, one key: an envelope names its recipients by id.
            for key in party.members.flatMap(\.encryptionKeys) {
                if let known = keyIDs[key.id], known != key.publicKey {
                    throw ContractError(
                        file: file, location: item.location,
                        message: "spec.parties[\(index)]: the encryption key id \"\(key.id)\" names two different keys; give each key its own id")
                }
                keyIDs[key.id] = key.publicKey
            }
            parties.append(party)
        }
        var unknownKinds = UnknownKinds.reject
        if let text = try spec.string("unknownKinds") {
            guard let value = UnknownKinds(rawValue: text) else {
                throw ContractError(
                    file: file, location: spec.location(of: "unknownKinds"),
                    message: "spec.unknownKinds: Unsupported value: \"\(text)\": supported values: \"reject\", \"allow\"")
            }
            unknownKinds = value
        }
        self.init(
            parties: parties, requireSignatures: try spec.bool("requireSignatures") ?? false, unknownKinds: unknownKinds,
            refs: try spec.strings("refs") ?? [])
    }

    /// The policy as a YAML document, in the shape ``init(_:file:)`` reads.
    public var document: Node {
        var spec = Node.Mapping()
        spec["parties"] = .sequence(parties.map(\.document))
        spec["requireSignatures"] = .bool(requireSignatures)
        spec["unknownKinds"] = .string(unknownKinds.rawValue)
        if !refs.isEmpty { spec["refs"] = .sequence(refs.map { .string($0) }) }
        return .mapping([
            "apiVersion": .string(Self.apiVersion),
            "kind": .string(Self.kind),
            "metadata": .mapping(["name": "exchange"]),
            "spec": .mapping(spec),
        ])
    }
}

extension ExchangePolicy.Party {
    init(_ node: Node, file: String, field: String) throws(ContractError) {
        let fields = try StrictMapping(node, file: file, field: field)
        try fields.onlyKeys(["name", "role", "namespaces", "kinds", "members"])
        let name = try fields.requiredString("name")
        guard NameRules.isDNS1123Label(name.utf8), name.utf8.count <= 63 else {
            throw ContractError(
                file: file, location: fields.location(of: "name"),
                message: "\(field).name: Invalid value: \"\(name)\": a party name is a DNS-1123 label (lowercase letters, digits and '-')")
        }
        let roleText = try fields.requiredString("role")
        guard let role = ExchangePolicy.Role(rawValue: roleText) else {
            throw ContractError(
                file: file, location: fields.location(of: "role"),
                message: "\(field).role: Unsupported value: \"\(roleText)\": supported values: \"producer\", \"consumer\", \"admin\"")
        }
        var members: [ExchangePolicy.Member] = []
        for (index, item) in (try fields.sequence("members") ?? []).enumerated() {
            let member = try StrictMapping(item, file: file, field: "\(field).members[\(index)]")
            try member.onlyKeys(["email", "signingKeys", "pushers", "encryptionKeys"])
            let email = try member.requiredString("email")
            guard !email.isEmpty, !email.contains("<"), !email.contains(">"), !email.contains("\n") else {
                throw ContractError(
                    file: file, location: member.location(of: "email"),
                    message: "\(member.path("email")): Invalid value: \"\(email)\": an e-mail address as commits carry it")
            }
            var keys: [SigningKey] = []
            for (index, text) in (try member.strings("signingKeys") ?? []).enumerated() {
                do {
                    keys.append(try SigningKey(text: text))
                } catch {
                    throw ContractError(
                        file: file, location: member.mapping["signingKeys"]?.sequence?[index].location ?? member.location(of: "signingKeys"),
                        message: "\(member.path("signingKeys"))[\(index)]: Invalid value: \(error.message); give an OpenSSH public key line (the contents of id_ed25519.pub) or an ASCII-armored OpenPGP public key block (gpg --armor --export KEY)")
                }
            }
            var encryptionKeys: [EncryptionKey] = []
            for (index, item) in (try member.sequence("encryptionKeys") ?? []).enumerated() {
                let field = "\(member.path("encryptionKeys"))[\(index)]"
                let entry = try StrictMapping(item, file: file, field: field)
                try entry.onlyKeys(["id", "publicKey"])
                let id = try entry.requiredString("id")
                let publicKey = try entry.requiredString("publicKey")
                do {
                    encryptionKeys.append(try EncryptionKey(id: id, publicKeyText: publicKey))
                } catch {
                    throw ContractError(
                        file: file, location: item.location,
                        message: "\(field): Invalid value: \(error.message); give the id and publicKey giter key generate prints")
                }
            }
            members.append(
                ExchangePolicy.Member(
                    email: email, signingKeys: keys, pushers: try member.strings("pushers") ?? [], encryptionKeys: encryptionKeys))
        }
        self.init(
            name: name, role: role, namespaces: try fields.strings("namespaces") ?? ["*"], kinds: try fields.strings("kinds") ?? ["*"],
            members: members)
    }

    var document: Node {
        var member: [Node] = []
        for item in members {
            var fields = Node.Mapping()
            fields["email"] = .string(item.email)
            fields["signingKeys"] = .sequence(item.signingKeys.map { .string($0.text) })
            if !item.pushers.isEmpty { fields["pushers"] = .sequence(item.pushers.map { .string($0) }) }
            if !item.encryptionKeys.isEmpty {
                fields["encryptionKeys"] = .sequence(
                    item.encryptionKeys.map { .mapping(["id": .string($0.id), "publicKey": .string($0.publicKeyText)]) })
            }
            member.append(.mapping(fields))
        }
        var fields = Node.Mapping()
        fields["name"] = .string(name)
        fields["role"] = .string(role.rawValue)
        if namespaces != ["*"] { fields["namespaces"] = .sequence(namespaces.map { .string($0) }) }
        if kinds != ["*"] { fields["kinds"] = .sequence(kinds.map { .string($0) }) }
        fields["members"] = .sequence(member)
        return .mapping(fields)
    }
}
