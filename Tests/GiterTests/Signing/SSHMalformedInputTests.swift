import Foundation
import Giter
import Testing

/// Signatures, key lines and key files that are broken on purpose: each
/// throws a ``SigningError`` (or, when a mutation leaves the form intact,
/// fails to verify) and nothing traps.
@Suite("SSH malformed input", .timeLimit(.minutes(2)))
struct SSHMalformedInputTests {
    /// `ssh-keygen -Y sign -n git` of "hello\n" with the key of ``SSHPublicKeyTests/line``.
    static let armored = """
        -----BEGIN SSH SIGNATURE-----
        U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgScl9gj7OwZEds2XbjCBKrl7EjR
        RAIIUhhwJJJYyzykYAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5
        AAAAQCW+/9kV3UjkV3XCOwO6kkXnz8KXG63X0M+BcidAUYsW87UzOvoNyvlceS0HkwtG/7
        DphH5Cn0iSZ3jEGuP0kAA=
        -----END SSH SIGNATURE-----

        """
    static let message = Array("hello\n".utf8)

    /// The bytes inside `armored`.
    static func blob(of armored: String) throws -> [UInt8] {
        let body = armored.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return try #require(Data(base64Encoded: body).map { [UInt8]($0) })
    }

    static func armor(_ bytes: [UInt8]) -> String {
        "-----BEGIN SSH SIGNATURE-----\n\(Data(bytes).base64EncodedString())\n-----END SSH SIGNATURE-----\n"
    }

    @Test func theSampleSignatureVerifiesAndRoundTrips() throws {
        let signature = try SSHSignature(armored: Self.armored)
        #expect(signature.verifies(Self.message, namespace: "git"))
        #expect(signature.publicKey == (try SSHPublicKey(line: SSHPublicKeyTests.line)))
        #expect(signature.armored == Self.armored)
        #expect(try SSHSignature(armored: Self.armored.replacingOccurrences(of: "\n", with: "\r\n")) == signature)
    }

    @Test(arguments: [
        "", "hello", "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", "-----BEGIN SSH SIGNATURE-----\n%%%%\n-----END SSH SIGNATURE-----\n",
        "-----BEGIN PGP SIGNATURE-----\nU1NIU0lH\n-----END PGP SIGNATURE-----\n",
        armored.replacingOccurrences(of: "U1NIU0lH", with: "U1NIU0lI"),  // wrong magic
        armored.replacingOccurrences(of: "AAAAAQ", with: "AAAAAg"),  // version 2
        armored + "trailing text\n",
        "-----BEGIN SSH SIGNATURE-----\n" + String(repeating: "QUFB", count: 20_000) + "\n-----END SSH SIGNATURE-----\n",
    ])
    func aMalformedArmorIsAnInvalidSignature(_ text: String) {
        #expect(SSHTestTools.errorCode { try SSHSignature(armored: text) } == .invalidSignature)
    }

    @Test func hugeLengthPrefixesAndTruncationsAreInvalid() throws {
        let bytes = try Self.blob(of: Self.armored)
        // Every length field set to 0xffffffff, then to one past the end.
        for offset in [10, 14, 65, 72, 76, 86] {
            for length: [UInt8] in [[0xff, 0xff, 0xff, 0xff], [0x7f, 0xff, 0xff, 0xff], [0, 0, 1, 0]] {
                var mutated = bytes
                mutated.replaceSubrange(offset..<(offset + 4), with: length)
                #expect(SSHTestTools.errorCode { try SSHSignature(armored: Self.armor(mutated)) } != nil)
            }
        }
        for count in 0..<bytes.count {
            #expect(SSHTestTools.errorCode { try SSHSignature(armored: Self.armor(Array(bytes.prefix(count)))) } != nil)
        }
        let key = try SSHPublicKey(line: SSHPublicKeyTests.line)
        for count in 0..<key.blob.count {
            #expect(SSHTestTools.errorCode { try SSHPublicKey(blob: Array(key.blob.prefix(count))) } == .invalidKey)
        }
        #expect(SSHTestTools.errorCode { try SSHPublicKey(blob: key.blob + [0]) } == .invalidKey)
        #expect(!key.isValidSignature([0xff, 0xff, 0xff, 0xff], for: Self.message))
        #expect(!key.isValidSignature([], for: Self.message))
    }

    @Test func randomMutationsOfASignatureAndAKeyNeverTrap() throws {
        var random = SplitMix64(seed: 0x5EED_0011)
        let bytes = try Self.blob(of: Self.armored)
        let key = try SSHPublicKey(line: SSHPublicKeyTests.line)
        let original = try SSHSignature(armored: Self.armored).signature
        for _ in 0..<400 {
            let mutated = random.mutate(bytes)
            do {
                let signature = try SSHSignature(armored: Self.armor(mutated))
                // It parses only when the mutation left the form intact: then it must not verify, unless it changed nothing signed.
                if signature.verifies(Self.message, namespace: "git") {
                    #expect(signature.signature == original)
                }
            } catch {
                #expect(error.code == .invalidSignature || error.code == .unsupportedKey || error.code == .invalidKey)
            }
            let blob = random.mutate(key.blob)
            do {
                let mutatedKey = try SSHPublicKey(blob: blob)
                #expect(mutatedKey == key || !mutatedKey.isValidSignature(random.mutate(bytes), for: Self.message))
            } catch {
                #expect(error.code == .invalidKey || error.code == .unsupportedKey)
            }
        }
    }
}

/// A small seeded generator, so that a failing mutation can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `bytes` with one to four random changes: a flipped byte, a cut, an inserted length, a removed byte.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...4, using: &self) where !result.isEmpty {
            let index = Int.random(in: 0..<result.count, using: &self)
            switch Int.random(in: 0..<4, using: &self) {
            case 0: result[index] = UInt8.random(in: 0...255, using: &self)
            case 1: result.removeSubrange(index...)
            case 2: result.insert(contentsOf: [0xff, 0xff, 0xff, UInt8.random(in: 0...255, using: &self)], at: index)
            default: result.remove(at: index)
            }
        }
        return result
    }
}
