import Foundation
import GitServerFixtures
import Giter
import Synchronization
import Testing

struct VaultSpec: ResourceSpec {
    var owner: String
    var password: String
    var pin: Int
    /// Encrypted as a whole; its keys are encoded out of alphabetical order.
    var door: Door?
}

struct Door: Codable, Hashable, Sendable {
    var code: String
    var alarm: Int
}

struct VaultStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var seen: String?
}

typealias Vault = CustomResource<VaultSpec, VaultStatus>

/// Selective field encryption through a real server (git daemon), on both
/// backends: the producer seals `x-giter-encrypted` fields for the policy's
/// encryptionKeys, a consumer with a key reconciles plaintext, a party
/// without one still reads, writes status and archives, and every way a
/// value can fail to open is its own clear error.
@Suite("Encrypted fields across the exchange", .timeLimit(.minutes(4)))
struct EncryptedFieldExchangeTests {
    static let vaultType = ResourceType(apiVersion: "vaults.giter.example/v1", kind: "Vault")
    let producerKey: EncryptionPrivateKey
    let runnerKey: EncryptionPrivateKey
    let rotatedKey: EncryptionPrivateKey

    init() throws {
        producerKey = try EncryptionPrivateKey.generate(id: "lab-1")
        runnerKey = try EncryptionPrivateKey.generate(id: "run-1")
        rotatedKey = try EncryptionPrivateKey.generate(id: "run-2")
    }

    static let definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: vaults.vaults.giter.example
        spec:
          group: vaults.giter.example
          names: {kind: Vault, plural: vaults}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [owner, password, pin]
                    properties:
                      owner: {type: string}
                      password: {type: string, minLength: 8, x-giter-encrypted: true}
                      pin: {type: integer, minimum: 0, maximum: 9999, x-giter-encrypted: true}
                      door:
                        type: object
                        x-giter-encrypted: true
                        required: [code, alarm]
                        properties:
                          code: {type: string}
                          alarm: {type: integer}
                  status:
                    type: object
                    properties:
                      seen: {type: string}

        """

    func policy(runner: EncryptionPrivateKey) -> String {
        """
        apiVersion: giter.dev/v1alpha1
        kind: ExchangePolicy
        metadata: {name: exchange}
        spec:
          parties:
          - name: lab
            role: producer
            namespaces: [lab]
            members:
            - email: producer0@lab.example
              encryptionKeys:
              - {id: \(producerKey.id), publicKey: \(producerKey.publicKey.publicKeyText)}
          - name: runners
            role: consumer
            namespaces: [lab]
            members:
            - email: consumer0@lab.example
              encryptionKeys:
              - {id: \(runner.id), publicKey: \(runner.publicKey.publicKeyText)}
            - email: consumer1@lab.example
          - name: owners
            role: admin
            members:
            - email: owner@lab.example

        """
    }

    func vault(_ name: String, password: String = "correct horse", pin: Int = 1234, door: Door? = nil) -> Vault {
        Vault(
            apiVersion: Self.vaultType.apiVersion, kind: Self.vaultType.kind,
            metadata: ObjectMeta(name: name, namespace: "lab"),
            spec: VaultSpec(owner: "ada", password: password, pin: pin, door: door))
    }

    // MARK: The lab

    func transport(_ lab: Lab, mirror: String) async throws -> any Transport {
        try await lab.backend.open(
            RemoteConfiguration(
                url: lab.url, branch: "main", mirrorPath: lab.scratch.appendingPathComponent("mirror-\(mirror)").path))
    }

    func vaults(_ lab: Lab, _ identity: ExchangeIdentity, mirror: String, keys: [EncryptionPrivateKey]?)
        async throws -> GitResourceStore<Vault>
    {
        try await store(Vault.self, lab, identity, mirror: mirror, keys: keys)
    }

    func dynamic(_ lab: Lab, _ identity: ExchangeIdentity, mirror: String, keys: [EncryptionPrivateKey]?)
        async throws -> GitResourceStore<DynamicResource>
    {
        try await store(DynamicResource.self, lab, identity, mirror: mirror, keys: keys)
    }

    func store<Resource: ExchangedResource>(
        _ type: Resource.Type, _ lab: Lab, _ identity: ExchangeIdentity, mirror: String,
        keys: [EncryptionPrivateKey]?
    ) async throws -> GitResourceStore<Resource> {
        let events = lab.events
        var options = StoreOptions(identity: identity, eventHandler: { events.append($0) })
        options.fieldKeys = keys.map(FieldKeyring.init)
        return GitResourceStore(transport: try await transport(lab, mirror: mirror), resourceType: Self.vaultType, options: options)
    }

    /// Commits `files` on top of the branch as `author`, past every check of the writer (readers still check it).
    @discardableResult
    func commit(_ lab: Lab, _ files: [String: String], author: String = "owner@lab.example") async throws -> ObjectID {
        let transport = try await transport(lab, mirror: "raw")
        let parent = try await transport.fetch()
        let request = CommitRequest(
            parent: parent, edits: files.sorted { $0.key < $1.key }.map { .write(path: $0.key, contents: Array($0.value.utf8)) },
            author: Signature(name: "By hand", email: author), message: "written by hand")
        let commit = try await transport.createCommit(request)
        #expect(try await transport.push(commit, expecting: parent) == .pushed(commit))
        return commit
    }

    func text(_ lab: Lab, _ path: String) async throws -> String {
        let transport = try await transport(lab, mirror: "raw")
        let tip = try #require(try await transport.fetch())
        let folder = String(path[..<path.lastIndex(of: "/")!])
        let entry = try #require(try await transport.treeEntries(at: tip, under: folder).first { $0.path == path })
        return String(decoding: try await transport.blob(entry.id), as: UTF8.self)
    }

    func start(_ lab: Lab) async throws {
        try await commit(
            lab, [ExchangePolicy.path: policy(runner: runnerKey), ".giter/crds/vault.yaml": Self.definition])
    }

    static func sealedValue(_ text: String, field: String) throws -> String {
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  \(field): ") })
        return String(line.dropFirst(field.count + 4))
    }

    // MARK: Tests

    @Test(arguments: Backend.allCases)
    func theReconcilerSeesPlaintextAndAStatusWriteLeavesTheCiphertextValid(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            let key = vault("a").key
            #expect(try await producer.apply(vault("a")) == .created(generation: 1))
            let sealed = try await text(lab, key.repositoryPath)
            #expect(!sealed.contains("correct horse") && !sealed.contains("1234"), "\(sealed)")
            #expect(sealed.contains("password: giter-enc:v1:") && sealed.contains("pin: giter-enc:v1:"), "\(sealed)")
            #expect(sealed.contains("owner: ada"), "a field not marked stays in the open")

            let seen = SeenPasswords()
            let consumer = try await vaults(lab, consumerIdentity(0), mirror: "consumer", keys: [runnerKey])
            let controller = Controller(store: consumer, reconciler: seen, options: lab.controllerOptions("consumer"))
            let run = Task { try await controller.run() }
            let done = try await producer.wait(for: key, timeout: .seconds(120))
            controller.shutdown()
            try await run.value
            #expect(seen.passwords == ["correct horse#1234"])
            #expect(done.resource.status?.seen == "correct horse", "the producer reads its own values with its key")

            // The status write spliced status only: the envelopes are the same bytes and still open.
            let after = try await text(lab, key.repositoryPath)
            for field in ["password", "pin"] {
                #expect(try Self.sealedValue(after, field: field) == Self.sealedValue(sealed, field: field))
            }
            let reader = try await vaults(lab, consumerIdentity(0), mirror: "reader", keys: [runnerKey])
            try await reader.refresh()
            #expect(try await reader.get(key)?.resource.spec == vault("a").spec)
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")
        }
    }

    @Test(arguments: Backend.allCases)
    func anUnchangedValueKeepsItsCiphertextAndThePlaintextIsCheckedBeforeSealing(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            let key = vault("a").key
            #expect(try await producer.apply(vault("a")) == .created(generation: 1))
            let first = try await text(lab, key.repositoryPath)
            #expect(try await producer.apply(vault("a")) == .unchanged, "no new generation for the same spec")
            #expect(try await producer.apply(vault("a", pin: 42)) == .configured(generation: 2))
            let second = try await text(lab, key.repositoryPath)
            #expect(try Self.sealedValue(second, field: "password") == Self.sealedValue(first, field: "password"))
            #expect(try Self.sealedValue(second, field: "pin") != Self.sealedValue(first, field: "pin"))
            // An object encrypted as a whole: the same value in another key order is the same value.
            let door = Door(code: "4711", alarm: 2)
            #expect(try await producer.apply(vault("a", pin: 42, door: door)) == .configured(generation: 3))
            #expect(try await producer.apply(vault("a", pin: 42, door: door)) == .unchanged, "no new generation")
            #expect(try await text(lab, key.repositoryPath).contains("door: giter-enc:v1:"))
            let opener = try await vaults(lab, consumerIdentity(0), mirror: "opener", keys: [runnerKey])
            try await opener.refresh()
            #expect(try await opener.get(key)?.resource.spec.door == door)

            let tip = try await transport(lab, mirror: "raw").fetch()
            guard case .refused(let reason) = try await producer.apply(vault("a", password: "short")) else {
                Issue.record("a password under minLength must be refused before it is sealed")
                return
            }
            // Which field and which rule, never the plaintext: a refusal reaches logs, statuses and terminals.
            #expect(reason.contains("spec.password: Invalid value: must be at least 8 characters long"), "\(reason)")
            #expect(!reason.contains("short"), "the secret is not quoted: \(reason)")
            guard case .refused(let range) = try await producer.apply(vault("b", pin: 10_000)) else {
                Issue.record("a pin over its maximum must be refused before it is sealed")
                return
            }
            #expect(range.contains("spec.pin: Invalid value: must be less than or equal to 9999"), "\(range)")
            #expect(!range.contains("10000"), "the secret is not quoted: \(range)")
            #expect(try await transport(lab, mirror: "raw").fetch() == tip, "nothing was committed")
        }
    }

    @Test(arguments: Backend.allCases)
    func aPartyWithoutAKeyListsWritesStatusAndArchives(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            // A producer without a key still seals for the policy's recipients.
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: nil))
            let key = vault("a").key
            #expect(try await producer.apply(vault("a")) == .created(generation: 1))
            let keyless = try await dynamic(lab, consumerIdentity(1), mirror: "keyless", keys: nil)
            try await keyless.refresh()
            let listed = try await keyless.list(.all)
            #expect(listed.map(\.key) == [key])
            let password = try #require(listed.first?.resource.spec["password"]?.string)
            #expect(password.hasPrefix("giter-enc:v1:"), "without a key the envelope is what it sees")
            var status = DynamicStatus(observedGeneration: 1, conditions: [])
            status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Routed"))
            #expect(try await keyless.write(.status(key, status, specDigest: listed[0].specDigest)) == .statusWritten)
            #expect(try await producer.archive(key) == .archived)
            // The reader with the key opens the archived file: nothing broke the envelopes.
            let reader = try await vaults(lab, consumerIdentity(0), mirror: "reader", keys: [runnerKey])
            try await reader.refresh()
            let archived = try await reader.list(ResourceQuery(archived: true))
            #expect(archived.first?.resource.spec == vault("a").spec)
            #expect(archived.first?.resource.status?.conditions.first?.reason == "Routed")
            #expect(lab.events.violations.isEmpty, "\(lab.events.violations)")

            // Without a key a reader still checks each envelope's shape: a truncated one is a violation it sees.
            let b = vault("b").key
            #expect(try await producer.apply(vault("b")) == .created(generation: 1))
            let textB = try await text(lab, b.repositoryPath)
            let broken = textB.replacingOccurrences(of: try Self.sealedValue(textB, field: "pin"), with: "giter-enc:v1:AQ==")
            try await commit(lab, [b.repositoryPath: broken], author: "producer0@lab.example")
            let checker = try await dynamic(lab, consumerIdentity(1), mirror: "checker", keys: nil)
            try await checker.refresh()
            let violation = try #require(lab.events.violations.first, "a keyless reader reports the malformed envelope")
            #expect(
                violation.message.contains("spec.pin: Invalid value: the encrypted value is truncated (ephemeral key)"),
                "\(violation)")
            #expect(try await checker.get(b)?.resource.spec["pin"]?.string == Self.sealedValue(textB, field: "pin"),
                "the commit was ignored; the last valid envelope stands")
        }
    }

    @Test(arguments: Backend.allCases)
    func everyWayAValueFailsToOpenIsItsOwnClearError(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            for name in ["a", "b", "c", "d"] { _ = try await producer.apply(vault(name)) }
            let (a, b, c, d) = (vault("a").key, vault("b").key, vault("c").key, vault("d").key)
            let textA = try await text(lab, a.repositoryPath)
            let textB = try await text(lab, b.repositoryPath)
            let textC = try await text(lab, c.repositoryPath)
            let textD = try await text(lab, d.repositoryPath)
            let passwordA = try Self.sealedValue(textA, field: "password")
            // b: a's password moved in (another resource); c: its pin moved to its password (another field);
            // d: one character of the ciphertext changed.
            let pinC = try Self.sealedValue(textC, field: "pin")
            let passwordD = try Self.sealedValue(textD, field: "password")
            var tampered = Array(passwordD.utf8)
            let middle = tampered.count - 30
            tampered[middle] = tampered[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            try await commit(
                lab,
                [
                    b.repositoryPath: textB.replacingOccurrences(of: try Self.sealedValue(textB, field: "password"), with: passwordA),
                    c.repositoryPath: textC.replacingOccurrences(of: try Self.sealedValue(textC, field: "password"), with: pinC),
                    d.repositoryPath: textD.replacingOccurrences(of: passwordD, with: String(decoding: tampered, as: UTF8.self)),
                ], author: "producer0@lab.example")

            let reader = try await vaults(lab, consumerIdentity(0), mirror: "reader", keys: [runnerKey])
            try await reader.refresh()
            #expect(try await reader.get(a)?.resource.spec.password == "correct horse")
            for (key, field) in [(b, "spec.password"), (c, "spec.password"), (d, "spec.password")] {
                let error = await #expect(throws: StoreError.self) { try await reader.get(key) }
                #expect(error?.code == .encryptedField)
                #expect(error?.path == key.repositoryPath)
                #expect(error?.location != nil, "it points at the value")
                #expect(error?.message.contains("\(key) \(field) does not open with the key run-1") == true, "\(String(describing: error))")
            }
            // One bad file never blocks the rest: the list has the one that opens.
            #expect(try await reader.list(.all).map(\.key) == [a])

            let stranger = try await vaults(lab, consumerIdentity(0), mirror: "stranger", keys: [try EncryptionPrivateKey.generate(id: "nobody")])
            try await stranger.refresh()
            let missing = await #expect(throws: StoreError.self) { try await stranger.get(a) }
            #expect(missing?.message.contains("sealed for the key ids lab-1, run-1; this reader holds nobody") == true, "\(String(describing: missing))")
            let impostor = try await vaults(lab, consumerIdentity(0), mirror: "impostor", keys: [try EncryptionPrivateKey.generate(id: "run-1")])
            try await impostor.refresh()
            let wrong = await #expect(throws: StoreError.self) { try await impostor.get(a) }
            #expect(wrong?.message.contains("does not open with the key run-1") == true, "\(String(describing: wrong))")
            #expect(lab.events.violations.isEmpty, "envelopes of the right shape pass the contract: \(lab.events.violations)")

            // Plaintext written into an encrypted field by hand is a violation every reader sees.
            try await commit(
                lab, [a.repositoryPath: textA.replacingOccurrences(of: passwordA, with: "in-the-clear")], author: "producer0@lab.example")
            try await reader.refresh()
            let violation = try #require(lab.events.violations.first)
            #expect(violation.message.contains("spec.password: Invalid value: must be an encrypted value"), "\(violation)")
        }
    }

    @Test(arguments: Backend.allCases)
    func afterARotationNewValuesAreForTheNewKeyAndOldCiphertextStaysReadableWithTheOldOne(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            let key = vault("a").key
            #expect(try await producer.apply(vault("a")) == .created(generation: 1))
            let before = try await text(lab, key.repositoryPath)
            try await commit(lab, [ExchangePolicy.path: policy(runner: rotatedKey)])
            // The same spec is sealed again for the new recipients.
            #expect(try await producer.apply(vault("a")) == .configured(generation: 2))
            let after = try await text(lab, key.repositoryPath)
            let newPassword = try Self.sealedValue(after, field: "password")
            #expect(FieldSealing.keyIDs(of: newPassword) == ["lab-1", "run-2"])

            let rotated = try await vaults(lab, consumerIdentity(0), mirror: "rotated", keys: [rotatedKey])
            try await rotated.refresh()
            #expect(try await rotated.get(key)?.resource.spec == vault("a").spec)
            let oldOnly = try await vaults(lab, consumerIdentity(0), mirror: "old", keys: [runnerKey])
            try await oldOnly.refresh()
            await #expect(throws: StoreError.self) { try await oldOnly.get(key) }
            // The ciphertext in history opens with the old key, and only with it.
            let oldPassword = try Self.sealedValue(before, field: "password")
            #expect(
                try FieldSealing.open(oldPassword, resource: key, field: "spec.password", keyring: FieldKeyring([runnerKey]))
                    == .string("correct horse"))
            #expect(throws: EncryptionError.self) {
                try FieldSealing.open(oldPassword, resource: key, field: "spec.password", keyring: FieldKeyring([rotatedKey]))
            }
        }
    }
}

/// Records the plaintext each reconcile sees, and reports the password back in status.
final class SeenPasswords: Reconciler, Sendable {
    private let seen = Mutex<[String]>([])
    var passwords: [String] { seen.withLock { $0 } }

    func reconcile(_ vault: Vault, context: ReconcileContext) async throws -> ReconcileResult<VaultStatus> {
        seen.withLock { $0.append("\(vault.spec.password)#\(vault.spec.pin)") }
        var status = vault.status ?? VaultStatus()
        status.seen = vault.spec.password
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Opened"))
        return .done(status)
    }
}

/// Issue 15, review of part 3: what a reader with a key opens, and a
/// producer that cannot read the contract.
extension EncryptedFieldExchangeTests {
    /// A reader with a key opens only the fields the definition marks, and
    /// checks each opened value against the definition: a genuine envelope
    /// in `owner` (not marked) stays a string; a password under its
    /// `minLength`, sealed past the producer's check, makes that one
    /// resource unreadable — reported like any invalid resource, without
    /// the plaintext — and the rest is read.
    @Test(arguments: Backend.allCases)
    func aReaderOpensOnlyMarkedFieldsAndChecksWhatItOpens(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            try await start(lab)
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            for name in ["a", "b", "c"] { _ = try await producer.apply(vault(name)) }
            let (a, b, c) = (vault("a").key, vault("b").key, vault("c").key)
            let textB = try await text(lab, b.repositoryPath)
            let textC = try await text(lab, c.repositoryPath)
            let recipients = [producerKey.publicKey, runnerKey.publicKey]
            // b: a genuine envelope in `owner`, which is not marked; c: a password under its minLength,
            // sealed past the producer's check.
            let inOwner = try FieldSealing.seal(
                .string("opened-owner"), resource: b, field: "spec.owner", recipients: recipients)
            let tiny = try FieldSealing.seal(
                .string("tiny"), resource: c, field: "spec.password", recipients: recipients)
            #expect(textB.contains("owner: ada\n"))
            try await commit(
                lab,
                [
                    b.repositoryPath: textB.replacingOccurrences(of: "owner: ada\n", with: "owner: \(inOwner)\n"),
                    c.repositoryPath: textC.replacingOccurrences(
                        of: try Self.sealedValue(textC, field: "password"), with: tiny),
                ], author: "producer0@lab.example")

            let reader = try await vaults(lab, consumerIdentity(0), mirror: "reader", keys: [runnerKey])
            try await reader.refresh()
            #expect(
                try await reader.get(b)?.resource.spec.owner == inOwner, "an envelope in an unmarked field stays")
            #expect(try await reader.get(b)?.resource.spec.password == "correct horse")
            let error = await #expect(throws: StoreError.self) { try await reader.get(c) }
            #expect(error?.code == .encryptedField)
            #expect(error?.path == c.repositoryPath)
            #expect(error?.location != nil, "it points at the value")
            #expect(
                error?.message.contains("spec.password: Invalid value: must be at least 8 characters long") == true,
                "\(String(describing: error))")
            #expect(!String(describing: error).contains("tiny"), "not quoted: \(String(describing: error))")
            #expect(try await reader.list(.all).map(\.key) == [a, b], "one bad value never blocks the rest")
            let changes = try await reader.changes(since: nil)
            #expect(changes.updated.map(\.key) == [a, b])
            #expect(changes.invalid.map(\.key) == [c])
            #expect(changes.invalid.first?.error.code == .encryptedField)
            #expect(lab.events.violations.isEmpty, "envelopes of the right shape pass: \(lab.events.violations)")

            // What is opened, and how it is checked, follows the definition in force, for values read before too.
            let stricter = Self.definition.replacingOccurrences(of: "minLength: 8", with: "minLength: 20")
            try await commit(lab, [".giter/crds/vault.yaml": stricter])
            try await reader.refresh()
            let refused = await #expect(throws: StoreError.self) { try await reader.get(a) }
            #expect(
                refused?.message.contains("spec.password: Invalid value: must be at least 20 characters long") == true,
                "\(String(describing: refused))")
        }
    }

    /// With a tip whose contract cannot be read, nothing says which fields
    /// are secret: the producer refuses the write (fail closed) rather than
    /// write the spec in the open, and says why.
    @Test(arguments: Backend.allCases)
    func aProducerThatCannotReadTheContractWritesNothing(_ backend: Backend) async throws {
        try await withLab(backend) { lab in
            let broken = Self.definition + "  bogus: [\n"
            try await commit(lab, [ExchangePolicy.path: policy(runner: runnerKey), ".giter/crds/vault.yaml": broken])
            let producer = Producer(store: try await vaults(lab, producerIdentity(0), mirror: "producer", keys: [producerKey]))
            let tip = try await transport(lab, mirror: "raw").fetch()
            let outcome = try await producer.apply(vault("a"))
            guard case .refused(let reason) = outcome else {
                Issue.record("a write under an unreadable contract must be refused, got \(outcome)")
                return
            }
            #expect(reason.contains("the contract in force cannot be read"), "\(reason)")
            #expect(reason.contains("x-giter-encrypted is unknown") && reason.contains("fail closed"), "\(reason)")
            #expect(!reason.contains("correct horse"), "\(reason)")
            #expect(try await transport(lab, mirror: "raw").fetch() == tip, "nothing was committed")
        }
    }
}
