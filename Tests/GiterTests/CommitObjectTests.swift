import Foundation
import Giter
import Testing

/// Reading and writing raw commit objects. What git itself writes and
/// verifies is checked against real `git` and `ssh-keygen` on both backends
/// in `GiterTransportTests/SignedCommitTests.swift`.
@Suite("Commit objects")
struct CommitObjectTests {
    static let tree = ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!
    static let parent = ObjectID(hex: "1111111111111111111111111111111111111111")!
    static let lab = Signature(
        name: "Lab Bot", email: "lab@example.com", date: Date(timeIntervalSince1970: 1_763_700_000),
        timeZoneOffsetMinutes: 60)
    static let header = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\n"
        + "author Lab Bot <lab@example.com> 1763700000 +0100\ncommitter Lab Bot <lab@example.com> 1763700000 +0100\n"

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func encodeWritesWhatGitCommitTreeWrites() {
        let bytes = CommitObject.encode(
            tree: Self.tree, parents: [Self.parent], author: Self.lab, committer: Self.lab, message: "Apply one\n")
        #expect(bytes == Self.bytes(Self.header + "\nApply one\n"))
        let root = CommitObject.encode(tree: Self.tree, parents: [], author: Self.lab, committer: Self.lab, message: "")
        #expect(String(decoding: root, as: UTF8.self).hasPrefix("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor "))
        #expect(root.suffix(2) == [0x0A, 0x0A])
    }

    @Test(arguments: [(0, "+0000"), (60, "+0100"), (-510, "-0830"), (345, "+0545"), (-5, "-0005"), (-720, "-1200")])
    func timeZonesAreASignAndFourDigits(minutes: Int, text: String) {
        var signature = Self.lab
        signature.timeZoneOffsetMinutes = minutes
        signature.date = Date(timeIntervalSince1970: 1_763_700_000.9)  // whole seconds, rounded down
        let bytes = CommitObject.encode(tree: Self.tree, parents: [], author: signature, committer: signature, message: "")
        #expect(String(decoding: bytes, as: UTF8.self).contains("\nauthor Lab Bot <lab@example.com> 1763700000 \(text)\n"))
    }

    @Test func anUnsignedCommitIsItsOwnPayload() throws {
        let bytes = Self.bytes(Self.header + "\nApply one\n\ngpgsig in the message is not a header\n")
        let object = try CommitObject(bytes: bytes)
        #expect(object.signature == nil)
        #expect(object.signatureFormat == nil)
        #expect(object.signedPayload == bytes)
        #expect(object.bytes == bytes)
    }

    @Test func theSignatureHeaderIsJoinedAndLeftOutOfThePayload() throws {
        let payload = Self.bytes(Self.header + "\nApply one\n")
        let signature = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\nAAAA\n-----END SSH SIGNATURE-----\n"
        let signed = CommitObject.signing(payload, with: signature)
        #expect(
            signed
                == Self.bytes(
                    Self.header
                        + "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n AAAA\n -----END SSH SIGNATURE-----\n"
                        + "\nApply one\n"))
        let object = try CommitObject(bytes: signed)
        #expect(object.signature == signature)
        #expect(object.signedPayload == payload)
        #expect(object.signatureFormat == .ssh)
    }

    @Test func anEmptyArmorLineIsALoneSpace() throws {
        let payload = Self.bytes(Self.header + "\nApply one\n")
        let signature = "-----BEGIN PGP SIGNATURE-----\n\niQEz\n=abcd\n-----END PGP SIGNATURE-----\n"
        let signed = CommitObject.signing(payload, with: signature)
        #expect(String(decoding: signed, as: UTF8.self).contains("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n"))
        let object = try CommitObject(bytes: signed)
        #expect(object.signature == signature)
        #expect(object.signedPayload == payload)
        #expect(object.signatureFormat == .openPGP)
    }

    @Test func aSignatureWithoutItsFinalNewlineStillEndsTheHeaderLine() throws {
        let payload = Self.bytes(Self.header + "\nApply one\n")
        let object = try CommitObject(bytes: CommitObject.signing(payload, with: "A\nB"))
        #expect(object.signature == "A\nB\n")
        #expect(object.signedPayload == payload)
        #expect(CommitObject.signing(payload, with: "") == payload)
    }

    @Test func otherHeadersAndTheirContinuationsStayInThePayload() throws {
        // A merge tag (continued over lines), an encoding, then the signature
        // in the middle of the header block: only its lines are left out.
        let text = Self.header + "mergetag object 2222\n type commit\n \n tag v1\nencoding ISO-8859-1\n"
            + "gpgsig first\n second\n \n last\nextra value\n continued\n\nmessage\n gpgsig not a header\n"
        let object = try CommitObject(bytes: Self.bytes(text))
        #expect(object.signature == "first\nsecond\n\nlast\n")
        #expect(
            object.signedPayload
                == Self.bytes(
                    Self.header + "mergetag object 2222\n type commit\n \n tag v1\nencoding ISO-8859-1\n"
                        + "extra value\n continued\n\nmessage\n gpgsig not a header\n"))
    }

    @Test func aSHA256SignatureIsLeftOutOfThePayloadButIsNotTheSignature() throws {
        let text = Self.header + "gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n other\n -----END SSH SIGNATURE-----\n\nmessage\n"
        let object = try CommitObject(bytes: Self.bytes(text))
        #expect(object.signature == nil)
        #expect(object.signedPayload == Self.bytes(Self.header + "\nmessage\n"))

        let both = Self.header + "gpgsig one\n two\ngpgsig-sha256 three\n four\n\nmessage\n"
        let signed = try CommitObject(bytes: Self.bytes(both))
        #expect(signed.signature == "one\ntwo\n")
        #expect(signed.signedPayload == Self.bytes(Self.header + "\nmessage\n"))
    }

    @Test func twoSignatureHeadersAreReadAsOneAsGitReadsThem() throws {
        let object = try CommitObject(bytes: Self.bytes(Self.header + "gpgsig a\ngpgsig b\n c\n\nmessage\n"))
        #expect(object.signature == "a\nb\nc\n")
        #expect(object.signedPayload == Self.bytes(Self.header + "\nmessage\n"))
    }

    @Test func aHeaderNamedLikeTheSignatureWithoutAValueIsKept() throws {
        // `gpgsig` must be followed by a space to be the signature header.
        let text = Self.header + "gpgsigs x\ngpgsig\n\nmessage\n"
        let object = try CommitObject(bytes: Self.bytes(text))
        #expect(object.signature == nil)
        #expect(object.signedPayload == Self.bytes(text))
    }

    @Test func headersEndingWithTheObjectReadAsAnEmptyMessage() throws {
        // git's fsck accepts a commit whose last header line ends the object.
        let text = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> 1 +0000\n"
        let object = try CommitObject(bytes: Self.bytes(text))
        #expect(object.signature == nil)
        #expect(object.signedPayload == Self.bytes(text))
    }

    @Test(.timeLimit(.minutes(1)))
    func manySignatureHeadersReadInLinearTime() throws {
        // 400,000 `gpgsig` lines (3.2 MB): copying the signature at each header would take hours.
        let count = 400_000
        let text = Self.header + String(repeating: "gpgsig a\n", count: count) + "\nmessage\n"
        let object = try CommitObject(bytes: Self.bytes(text))
        #expect(object.signature?.utf8.count == 2 * count)
        #expect(object.signedPayload == Self.bytes(Self.header + "\nmessage\n"))
    }

    @Test(arguments: [
        "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904",  // no newline at all
        "parent 1111111111111111111111111111111111111111\ntree x\n\nmessage",  // not a tree first
        " tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\n",  // a continuation first
        "\n\nmessage",  // an empty header block
        "",
    ])
    func aMalformedHeaderBlockIsRefused(text: String) {
        #expect {
            try CommitObject(bytes: Self.bytes(text))
        } throws: { error in
            (error as? TransportError)?.code == .backend
        }
    }

    @Test func garbageNeverTraps() {
        // Deterministic pseudo-random bytes, biased towards the bytes the parser looks at.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let alphabet: [UInt8] = Array("tree gpgsig-sha256 \n\n ".utf8) + [0, 0xFF, 0xC3]
        var parsed = 0
        for length in 0..<400 {
            var bytes: [UInt8] = length % 3 == 0 ? Array("tree ".utf8) : []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let value = Int(truncatingIfNeeded: state >> 33)
                bytes.append(value % 4 == 0 ? UInt8(truncatingIfNeeded: value >> 8) : alphabet[value % alphabet.count])
            }
            guard let object = try? CommitObject(bytes: bytes) else { continue }
            parsed += 1
            // What a signature header holds is never part of the payload, and
            // re-inserting it gives an object with the same reading.
            #expect(object.signedPayload.count <= bytes.count)
            _ = object.signatureFormat
            if let signature = object.signature {
                let again = try? CommitObject(bytes: CommitObject.signing(object.signedPayload, with: signature))
                #expect(again?.signedPayload == object.signedPayload)
            }
        }
        #expect(parsed > 0, "the generator should make some readable objects")
    }

    @Test(arguments: [
        ("-----BEGIN SSH SIGNATURE-----\nx\n", SignatureFormat?.some(.ssh)),
        ("-----BEGIN PGP SIGNATURE-----\nx\n", .openPGP),
        ("-----BEGIN PGP MESSAGE-----\nx\n", .openPGP),
        ("-----BEGIN SIGNED MESSAGE-----\nx\n", .x509),
        ("-----BEGIN SSH SIGNATURE----- \nx\n", nil),
        ("x\n-----BEGIN SSH SIGNATURE-----\n", nil),
        ("", nil),
    ])
    func theFormatComesFromTheArmorsFirstLine(signature: String, format: SignatureFormat?) throws {
        let payload = Self.bytes(Self.header + "\nmessage\n")
        let object = try CommitObject(bytes: CommitObject.signing(payload, with: signature))
        #expect(object.signatureFormat == format)
        #expect(object.signature == (signature.isEmpty ? nil : signature))
    }

    @Test func objectsAreEqualByTheirBytes() throws {
        let payload = Self.bytes(Self.header + "\nmessage\n")
        let one = try CommitObject(bytes: payload)
        let same = try CommitObject(bytes: payload)
        let signed = try CommitObject(bytes: CommitObject.signing(payload, with: "sig\n"))
        #expect(one == same && one.hashValue == same.hashValue)
        #expect(one != signed)
        #expect(signed.signedPayload == one.bytes)
    }
}
