import Foundation
import GiterCodec
import Testing

@testable import GiterSchema

/// `x-giter-encrypted: true`: where it may stand, how sealed and plaintext
/// values validate, and the envelope's shape.
@Suite struct EncryptedFieldTests {
    static let schema = """
        type: object
        properties:
          password:
            type: string
            minLength: 8
            x-giter-encrypted: true
          users:
            type: array
            items:
              type: object
              properties:
                name: {type: string}
                token: {type: integer, x-giter-encrypted: true}
          replicas: {type: integer}
        """

    /// A well-formed envelope with one recipient.
    static let envelope = SealedValue(
        ephemeralPublicKey: Array(repeating: 7, count: 32),
        recipients: [SealedValue.Recipient(keyID: "lab-2026", wrappedKey: Array(repeating: 1, count: 48))],
        nonce: Array(repeating: 2, count: 12),
        ciphertext: Array(repeating: 3, count: 20)
    ).text

    @Test func sealedValuesValidateByShapeOnly() throws {
        let errors = try SchemaFixtures.specErrors(
            Self.schema, "password: \(Self.envelope)\nusers:\n- {name: a, token: \(Self.envelope)}\nreplicas: 2\n")
        #expect(errors == [])
    }

    @Test func plaintextInAnEncryptedFieldIsRefusedWhenSealedIsExpected() throws {
        let errors = try SchemaFixtures.specErrors(Self.schema, "password: hunter2hunter2\nusers:\n- {name: a, token: 5}\n")
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("spec.password: Invalid value: must be an encrypted value"))
        #expect(!errors[0].contains("hunter2"), "a secret is not repeated in an error")
        #expect(errors[1].hasPrefix("spec.users[0].token: Invalid value: must be an encrypted value"))
    }

    @Test func plaintextModeChecksTheValueAndAcceptsAKeptEnvelope() throws {
        let version = try SchemaFixtures.version(spec: Self.schema)
        let short = try SchemaFixtures.resource("spec:\n  password: short\n  users:\n  - {name: a, token: x}\n")
        let errors = version.validate(short, sections: [.spec], encryptedFields: .plaintext).map(\.description)
        #expect(errors.count == 2)
        // Which field and which rule, never the value: the plaintext is secret.
        #expect(errors[0] == "spec.password: Invalid value: must be at least 8 characters long")
        #expect(errors[1] == "spec.users[0].token: Invalid value: must be of type integer")
        let kept = try SchemaFixtures.resource("spec:\n  password: \(Self.envelope)\n")
        #expect(version.validate(kept, sections: [.spec], encryptedFields: .plaintext) == [])
    }

    /// Every place a plaintext could show in a producer's refusal: the
    /// field's own errors, a key the schema does not declare inside it, a
    /// count, and an ancestor's value quoted by anyOf; a field not marked
    /// is still quoted.
    @Test func plaintextModeNeverQuotesASecret() throws {
        let schema = """
            type: object
            properties:
              password: {type: string, minLength: 8, x-giter-encrypted: true}
              users:
                type: array
                items:
                  type: object
                  properties:
                    name: {type: string}
                    token: {type: integer, x-giter-encrypted: true}
              door:
                type: object
                x-giter-encrypted: true
                properties:
                  code: {type: string, enum: [a, b]}
              keys: {type: array, maxItems: 1, x-giter-encrypted: true, items: {type: string}}
              count: {type: integer, minimum: 0}
              replicas: {type: integer}
            anyOf:
            - required: [replicas]
            """
        let version = try SchemaFixtures.version(spec: schema)
        let resource = try SchemaFixtures.resource(
            """
            spec:
              password: secret
              users:
              - {name: a, token: tok-secret}
              - {name: b, token: [tok-list-secret]}
              door: {code: code-secret, key-secret: 1}
              keys: [k-secret-1, k-secret-2]
              count: -1

            """)
        let errors = version.validate(resource, sections: [.spec], encryptedFields: .plaintext)
        let texts = errors.map(\.description)
        for text in texts {
            #expect(!text.contains("secret"), "\(text) quotes a secret")
        }
        #expect(texts.contains("spec.password: Invalid value: must be at least 8 characters long"), "\(texts)")
        #expect(texts.contains("spec.users[0].token: Invalid value: must be of type integer"), "\(texts)")
        #expect(texts.contains("spec.users[1].token: Invalid value: must be of type integer"), "\(texts)")
        #expect(texts.contains { $0.hasPrefix("spec.door.code: Unsupported value: supported values: ") }, "\(texts)")
        #expect(texts.contains("spec.door.*: Unknown field"), "a key inside a secret is part of it: \(texts)")
        #expect(texts.contains("spec.keys: Too many: must have at most 1 items"), "\(texts)")
        #expect(texts.contains("spec: Invalid value: must validate at least one schema (anyOf)"), "\(texts)")
        #expect(texts.contains("spec.count: Invalid value: -1: must be greater than or equal to 0"), "not secret: \(texts)")
        #expect(errors.filter { $0.field != "spec.count" }.allSatisfy { $0.value == nil }, "\(errors)")

        // Readers check envelopes: nothing changes for them.
        let sealed = try SchemaFixtures.resource("spec:\n  password: \(Self.envelope)\n  count: -1\n")
        #expect(
            version.validate(sealed, sections: [.spec]).map(\.description).contains(
                "spec.count: Invalid value: -1: must be greater than or equal to 0"))
    }

    @Test func malformedEnvelopesSayWhatIsWrong() throws {
        var truncated = Array(Self.envelope.utf8)
        truncated.removeLast(8)  // whole base64 quads: still base64, now too short
        let cases: [(String, String)] = [
            ("giter-enc:v1:%%%%", "is not padded base64"),
            (String(decoding: truncated, as: UTF8.self), "is truncated"),
            ("giter-enc:v1:" + Base64.encode([2] + Array(repeating: 0, count: 80)), "unknown envelope version"),
            ("giter-enc:v1:" + Base64.encode([1] + Array(repeating: 0, count: 32) + [0]), "must name 1 to 32 recipients"),
        ]
        for (text, expected) in cases {
            let errors = try SchemaFixtures.specErrors(Self.schema, "password: \"\(text)\"\n")
            #expect(errors.count == 1)
            #expect(errors.first?.contains(expected) == true, "\(errors) should say \(expected)")
        }
    }

    @Test func envelopeRoundTripsThroughText() throws {
        let parsed = try SealedValue(text: Self.envelope)
        #expect(parsed.keyIDs == ["lab-2026"])
        #expect(parsed.text == Self.envelope)
        #expect(parsed.bytes.count == 1 + 32 + 1 + (1 + 8 + 48) + 12 + 20)
    }

    @Test func base64IsStrict() {
        for length in 0..<8 {
            let bytes = (0..<length).map { UInt8($0 * 37 & 0xFF) }
            #expect(Base64.decode(Array(Base64.encode(bytes).utf8)) == bytes)
        }
        let large = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 131 ^ $0 >> 8) }
        let text = Base64.encode(large)
        #expect(text == Data(large).base64EncodedString(), "the same text as Foundation's")
        #expect(Base64.decode(Array(text.utf8)) == large)
        #expect(Base64.decode(Array("QQ".utf8)) == nil)  // missing padding
        #expect(Base64.decode(Array("QR==".utf8)) == nil)  // non-zero bits after the data
        #expect(Base64.decode(Array("Q=Q=".utf8)) == nil)
        #expect(Base64.decode(Array("QQ==QQ==".utf8)) == nil)  // padding inside
    }

    @Test(arguments: [
        ("metadata:\n  type: object\n  x-giter-encrypted: true\n", "allowed on fields of the spec only"),
        ("status:\n  type: object\n  properties:\n    s: {type: string, x-giter-encrypted: true}\n", "allowed on fields of the spec only"),
    ])
    func encryptedOutsideTheSpecIsRefused(properties: String, expected: String) throws {
        let text = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: {kind: Widget, plural: widgets}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
            \(SchemaFixtures.indent(properties, by: 10))
            """
        let error = #expect(throws: SchemaError.self) {
            try CustomResourceDefinition(YAMLReader().readDocument(text), file: "crds/widget.yaml")
        }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("type: object\nx-giter-encrypted: true\nproperties:\n  inner: {type: string, x-giter-encrypted: true}\n",
         "inside a field that is encrypted as a whole"),
        ("type: object\nproperties:\n  a: {type: string, x-giter-encrypted: true}\nallOf:\n- properties:\n    a: {minLength: 2}\n",
         "cannot be restricted inside allOf"),
        ("type: array\nx-kubernetes-list-type: map\nx-kubernetes-list-map-keys: [id]\nitems:\n  type: object\n"
            + "  properties:\n    id: {type: string, x-giter-encrypted: true}\n",
         "must not be x-giter-encrypted"),
        ("type: string\nx-giter-encrypted: yes please\n", "must be true or false"),
    ])
    func misplacedMarkersAreRefused(spec: String, expected: String) throws {
        let error = #expect(throws: SchemaError.self) { try SchemaFixtures.definition(spec: spec) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func mappingVisitsEveryEncryptedFieldWithItsPath() throws {
        let version = try SchemaFixtures.version(spec: Self.schema)
        #expect(version.hasEncryptedFields)
        let resource = try SchemaFixtures.resource(
            "spec:\n  password: p\n  users:\n  - {name: a, token: 1}\n  - {name: b}\n  - {name: c, token: 3}\n  replicas: 1\n")
        var seen: [String] = []
        let mapped = version.mappingEncryptedFields(in: resource) { path, value in
            seen.append(path)
            return .string("sealed:\(FieldValue.text(value))")
        }
        #expect(seen == ["spec.password", "spec.users[0].token", "spec.users[2].token"])
        #expect(mapped["spec"]?["users"]?[2]?["token"]?.string == "sealed:3")
        #expect(mapped["spec"]?["replicas"]?.number?.integer(as: Int.self) == 1)
        #expect(try SchemaFixtures.version(spec: "type: object\n").hasEncryptedFields == false)
    }
}
