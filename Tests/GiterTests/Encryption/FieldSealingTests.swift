import Foundation
import Giter
import GiterCodec
import Testing

/// Sealing and opening one field's value: every way it must fail, each with
/// its own clear error.
@Suite struct FieldSealingTests {
    let resource = ResourceKey(namespace: "lab", kind: "Vault", name: "a")
    let reader: EncryptionPrivateKey
    let other: EncryptionPrivateKey

    init() throws {
        reader = try EncryptionPrivateKey.generate(id: "run-1")
        other = try EncryptionPrivateKey.generate(id: "run-2")
    }

    func sealed(_ value: Node = ["user": "ada", "pin": 1234], field: String = "spec.secret") throws -> String {
        try FieldSealing.seal(value, resource: resource, field: field, recipients: [reader.publicKey, other.publicKey])
    }

    @Test func eachRecipientOpensTheValue() throws {
        let text = try sealed()
        #expect(text.hasPrefix("giter-enc:v1:"))
        #expect(!text.contains("ada"))
        for key in [reader, other] {
            let opened = try FieldSealing.open(text, resource: resource, field: "spec.secret", keyring: FieldKeyring([key]))
            #expect(opened == ["pin": 1234, "user": "ada"])
        }
        #expect(FieldSealing.keyIDs(of: text) == ["run-1", "run-2"])
        #expect(try sealed() != text, "a fresh one-time key and nonce every time")
    }

    @Test func theOpenedValueIsTheSameValueWhateverItsKeyOrder() throws {
        let applied: Node = ["user": "ada", "pin": 1234]
        let opened = try FieldSealing.open(try sealed(applied), resource: resource, field: "spec.secret", keyring: FieldKeyring([reader]))
        #expect(opened != applied, "opened keys come back sorted, so plain equality would re-seal an unchanged value")
        #expect(FieldSealing.isSameValue(opened, applied))
        #expect(!FieldSealing.isSameValue(opened, ["user": "ada", "pin": 1235]))
        #expect(!FieldSealing.isSameValue(.string("1234"), 1234))
    }

    @Test func aMissingKeySaysWhichKeysTheValueIsFor() throws {
        let stranger = try EncryptionPrivateKey.generate(id: "someone-else")
        let error = #expect(throws: EncryptionError.self) {
            try FieldSealing.open(try sealed(), resource: resource, field: "spec.secret", keyring: FieldKeyring([stranger]))
        }
        #expect(error?.code == .missingKey)
        #expect(error?.message.contains("sealed for the key ids run-1, run-2; this reader holds someone-else") == true)
    }

    @Test func theWrongKeyUnderTheRightIDDoesNotOpenIt() throws {
        let impostor = try EncryptionPrivateKey.generate(id: "run-1")
        let error = #expect(throws: EncryptionError.self) {
            try FieldSealing.open(try sealed(), resource: resource, field: "spec.secret", keyring: FieldKeyring([impostor]))
        }
        #expect(error?.code == .notOpened)
        #expect(error?.message.contains("does not open with the key run-1") == true, "\(String(describing: error))")
    }

    @Test(arguments: [40, 60, 120, -3])
    func aTamperedEnvelopeDoesNotOpen(offset: Int) throws {
        let text = try sealed()
        var bytes = Array(text.utf8)
        // One base64 character changed: still a well-formed envelope.
        let index = offset < 0 ? bytes.count + offset : offset
        bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: bytes, as: UTF8.self)
        let error = #expect(throws: EncryptionError.self) {
            try FieldSealing.open(tampered, resource: resource, field: "spec.secret", keyring: FieldKeyring([reader]))
        }
        #expect(error?.code == .notOpened || error?.code == .malformed, "\(String(describing: error))")
    }

    @Test func aValueMovedToAnotherFieldOrResourceDoesNotOpen() throws {
        let text = try sealed()
        let keyring = FieldKeyring([reader])
        let movedField = #expect(throws: EncryptionError.self) {
            try FieldSealing.open(text, resource: resource, field: "spec.other", keyring: keyring)
        }
        #expect(movedField?.code == .notOpened)
        #expect(movedField?.message.contains("lab/Vault/a spec.other does not open") == true)
        let elsewhere = ResourceKey(namespace: "lab", kind: "Vault", name: "b")
        let movedResource = #expect(throws: EncryptionError.self) {
            try FieldSealing.open(text, resource: elsewhere, field: "spec.secret", keyring: keyring)
        }
        #expect(movedResource?.code == .notOpened)
        #expect(movedResource?.message.contains("sealed for another field or resource") == true)
    }

    @Test func noRecipientsIsRefusedWithWhatToDo() {
        let error = #expect(throws: EncryptionError.self) {
            try FieldSealing.seal("x", resource: resource, field: "spec.secret", recipients: [])
        }
        #expect(error?.code == .noRecipients)
        #expect(error?.message.contains("add one (giter key generate)") == true)
    }

    @Test func keyFilesRoundTripAndBadOnesSayWhy() throws {
        let read = try EncryptionPrivateKey(fileBytes: Array(reader.fileText.utf8), file: "run-1.key")
        #expect(read.id == "run-1")
        #expect(read.publicKey == reader.publicKey)
        for (text, expected) in [
            ("id: a\n", "holds exactly `id` and `privateKey`"),
            ("id: a\nprivateKey: '%%'\n", "privateKey is not base64"),
            ("id: a\nprivateKey: AAAA\n", "is not an X25519 key"),
            ("id: A B\nprivateKey: \(String(repeating: "A", count: 43))=\n", "is not a key id"),
        ] {
            let error = #expect(throws: EncryptionError.self) { try EncryptionPrivateKey(fileBytes: Array(text.utf8), file: "k") }
            #expect(error?.message.contains(expected) == true, "\(String(describing: error)) should say \(expected)")
        }
    }

    @Test func thePolicyListsEncryptionKeysAndRefusesAnIDForTwoKeys() throws {
        func policy(_ secondKey: EncryptionKey) -> String {
            """
            apiVersion: giter.dev/v1alpha1
            kind: ExchangePolicy
            metadata: {name: exchange}
            spec:
              parties:
              - name: lab
                role: producer
                kinds: [Vault]
                members:
                - email: p@lab.example
                  encryptionKeys:
                  - {id: \(reader.publicKey.id), publicKey: \(reader.publicKey.publicKeyText)}
              - name: runners
                role: consumer
                members:
                - email: c@lab.example
                  encryptionKeys:
                  - {id: \(secondKey.id), publicKey: \(secondKey.publicKeyText)}
              - name: owners
                role: admin
                members:
                - email: o@lab.example
                  encryptionKeys:
                  - {id: admin-key, publicKey: \(other.publicKey.publicKeyText)}
            """
        }
        let parsed = try #require(try ExchangePolicy.parse(Array(policy(other.publicKey).utf8)))
        #expect(parsed.encryptionRecipients(for: resource).map(\.id) == ["run-1", "run-2"], "admins are no recipients")
        #expect(parsed.encryptionRecipients(for: ResourceKey(namespace: "lab", kind: "Job", name: "a")).map(\.id) == ["run-2"])
        let reparsed = try ExchangePolicy(parsed.document)
        #expect(reparsed == parsed)
        let clash = try EncryptionKey(id: "run-1", publicKey: other.publicKey.publicKey)
        let error = #expect(throws: ContractError.self) { try ExchangePolicy.parse(Array(policy(clash).utf8)) }
        #expect(error?.message.contains("the encryption key id \"run-1\" names two different keys") == true)
        let bad = policy(other.publicKey).replacingOccurrences(of: "id: admin-key, publicKey: ", with: "id: admin-key, publicKey: x")
        let badError = #expect(throws: ContractError.self) { try ExchangePolicy.parse(Array(bad.utf8)) }
        #expect(badError?.message.contains("encryptionKeys[0]: Invalid value") == true, "\(String(describing: badError))")
    }
}
