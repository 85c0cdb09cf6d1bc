import GiterSchema

extension GitResourceStore {
    /// The producer's section of `mapping` with every encrypted value
    /// (a string starting `giter-enc:v1:`) opened with `keyring`.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/encryptedField``) naming
    ///   the file, the field's position and why, with the ``EncryptionError`` as cause.
    static func openingFields(
        of mapping: Node.Mapping, key: ResourceKey, path: String, keyring: FieldKeyring
    ) throws(StoreError) -> Node.Mapping {
        var result = mapping
        for index in result.indices where !Self.unsealedKeys.contains(result[index].key) {
            let field = result[index].key
            result[index].value = try opening(result[index].value, field: field, key: key, path: path, keyring: keyring)
        }
        return result
    }

    /// Top-level keys never sealed: what every reader must read.
    static var unsealedKeys: Set<String> { ["apiVersion", "kind", "metadata", "status"] }

    private static func opening(
        _ node: Node, field: String, key: ResourceKey, path: String, keyring: FieldKeyring
    ) throws(StoreError) -> Node {
        var node = node
        switch node.content {
        case .string(let text) where SealedValue.looksSealed(text):
            do {
                return try FieldSealing.open(text, resource: key, field: field, keyring: keyring)
            } catch {
                throw StoreError(.encryptedField, path: path, location: node.location, error.message, cause: error)
            }
        case .mapping(var mapping):
            for index in mapping.indices {
                let child = field + "." + mapping[index].key
                mapping[index].value = try opening(mapping[index].value, field: child, key: key, path: path, keyring: keyring)
            }
            node.content = .mapping(mapping)
        case .sequence(var items):
            for index in items.indices {
                items[index] = try opening(items[index], field: "\(field)[\(index)]", key: key, path: path, keyring: keyring)
            }
            node.content = .sequence(items)
        default:
            break
        }
        return node
    }

    /// Why a producer's write of encrypted fields is refused.
    struct SealingRefusal: Error {
        var reason: String
    }

    /// `spec` (defaulted) with the values of the definition's
    /// `x-giter-encrypted` fields sealed for the policy's recipients, after
    /// the plaintext is checked against the definition. A value equal to
    /// what the file's envelope at that field opens to, sealed for the same
    /// key ids, keeps that envelope (needs a key in ``StoreOptions/fieldKeys``);
    /// an envelope given as the value is kept when it is the file's own.
    ///
    /// - Throws: ``SealingRefusal`` with the reason the write is refused.
    func sealingFields(
        _ spec: Node, of desired: Resource, key: ResourceKey, current: LiveFile?, contract: Contract?
    ) throws(SealingRefusal) -> Node {
        guard let contract, case .found(let version) = contract.definition(apiVersion: desired.apiVersion, kind: desired.kind),
            version.hasEncryptedFields
        else { return spec }
        var document = Node.Mapping()
        document["apiVersion"] = .string(desired.apiVersion)
        document["kind"] = .string(desired.kind)
        document[ResourceDocument.specKey] = spec
        let problems = version.validate(document, sections: [.spec], encryptedFields: .plaintext)
        if !problems.isEmpty {
            throw SealingRefusal(
                reason: "the spec of \(key) is not valid against its definition (checked before sealing its "
                    + "encrypted fields): " + problems.map(\.description).joined(separator: "; "))
        }
        var existing: [String: Node] = [:]
        if case .readable(let file)? = current {
            var view = Node.Mapping()
            view[ResourceDocument.specKey] = file.root[ResourceDocument.specKey]
            _ = version.mappingEncryptedFields(in: view) { path, value in
                existing[path] = value
                return value
            }
        }
        let recipients = contract.policy?.encryptionRecipients(for: key) ?? []
        let recipientIDs = Set(recipients.map(\.id))
        let keyring = options.fieldKeys
        do {
            let sealed = try version.mappingEncryptedFields(in: document) { path, value throws(SealingRefusal) -> Node in
                let stored = existing[path]?.string
                if let text = value.string, SealedValue.looksSealed(text) {
                    guard text == stored else {
                        throw SealingRefusal(
                            reason: "\(key) \(path) holds an encrypted value that is not the one the file holds; apply "
                                + "the plaintext (the producer seals it)")
                    }
                    return value
                }
                if let stored, let keyring, let ids = FieldSealing.keyIDs(of: stored), Set(ids) == recipientIDs,
                    let opened = try? FieldSealing.open(stored, resource: key, field: path, keyring: keyring),
                    FieldSealing.isSameValue(opened, value)
                {
                    return .string(stored)
                }
                do throws(EncryptionError) {
                    return .string(try FieldSealing.seal(value, resource: key, field: path, recipients: recipients))
                } catch {
                    throw SealingRefusal(reason: error.message)
                }
            }
            return sealed[ResourceDocument.specKey] ?? spec
        } catch let refusal as SealingRefusal {
            throw refusal
        } catch {
            throw SealingRefusal(reason: "\(error)")
        }
    }
}
