import GiterSchema

extension GitResourceStore {
    /// `mapping` with the value of each `x-giter-encrypted` field of its
    /// definition in the contract in force opened with `keyring`, and each
    /// opened value checked against the definition. Only those fields are
    /// opened: an envelope anywhere else stays the string it is. Without a
    /// readable contract, or a definition that marks no field, nothing is.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/encryptedField``) naming
    ///   the file, the field's position and why (never the plaintext), with
    ///   the ``EncryptionError`` as cause when a value does not open.
    func openingFields(
        of mapping: Node.Mapping, key: ResourceKey, path: String, keyring: FieldKeyring
    ) async throws -> Node.Mapping {
        guard let contract = try await contractInForce(),
            let apiVersion = mapping["apiVersion"]?.string, let kind = mapping["kind"]?.string,
            case .found(let version) = contract.definition(apiVersion: apiVersion, kind: kind),
            version.hasEncryptedFields
        else { return mapping }
        return try Self.openingFields(of: mapping, version: version, key: key, path: path, keyring: keyring)
    }

    /// ``openingFields(of:key:path:keyring:)`` with the definition's version.
    static func openingFields(
        of mapping: Node.Mapping, version: CustomResourceVersion, key: ResourceKey, path: String, keyring: FieldKeyring
    ) throws(StoreError) -> Node.Mapping {
        var located: [(field: String, location: SourceLocation?)] = []
        let opened: Node.Mapping
        do {
            opened = try version.mappingEncryptedFields(in: mapping) { field, value throws(StoreError) -> Node in
                guard let text = value.string, SealedValue.looksSealed(text) else {
                    // Not an envelope: the contract's check refuses such a file; never hand it over as plaintext.
                    throw StoreError(
                        .encryptedField, path: path, location: value.location,
                        "\(key) \(field) is x-giter-encrypted but does not hold an encrypted value; the producer "
                            + "must apply it again")
                }
                do throws(EncryptionError) {
                    let node = try FieldSealing.open(text, resource: key, field: field, keyring: keyring)
                    located.append((field, value.location))
                    return Node(node.content, location: value.location)
                } catch {
                    throw StoreError(.encryptedField, path: path, location: value.location, error.message, cause: error)
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.encryptedField, path: path, "\(key): \(error)")
        }
        // The reconciler gets only values its definition allows, as for every field in the open.
        let problems = version.validate(opened, sections: [.spec], encryptedFields: .plaintext).filter { problem in
            located.contains { CustomResourceVersion.isField(problem.field, within: $0.field) }
        }
        if let first = problems.first {
            let field = located.first { CustomResourceVersion.isField(first.field, within: $0.field) }
            let location = first.location ?? field?.location
            throw StoreError(
                .encryptedField, path: path, location: location,
                "\(key): an opened value is not valid against its definition: "
                    + problems.map(\.description).joined(separator: "; ")
                    + "; the producer must apply a valid value")
        }
        return opened
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
    /// When the contract in force cannot be read (`unreadable`), nothing
    /// says which fields are secret: the write is refused (fail closed)
    /// rather than any value written in the open.
    ///
    /// - Throws: ``SealingRefusal`` with the reason the write is refused.
    func sealingFields(
        _ spec: Node, of desired: Resource, key: ResourceKey, current: LiveFile?, contract: Contract?,
        unreadable: ContractError? = nil
    ) throws(SealingRefusal) -> Node {
        if let unreadable {
            throw SealingRefusal(
                reason: "the contract in force cannot be read (\(unreadable)), so whether the definition of "
                    + "\(desired.kind) marks fields x-giter-encrypted is unknown and \(key) is not written (fail "
                    + "closed); an admin must repair .giter/ (giter verify says what is wrong), then apply again")
        }
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
