import Foundation
import Giter
import Testing

/// A policy change may not bind an encryption key id that stays in the
/// policy to another public key: an unchanged value keeps its envelope
/// when the key ids match, so a rebinding would leave values sealed for the
/// old (perhaps leaked) key while the policy names the new one. Rotation
/// uses a new id. One home: the ledger, so the guard, readers and
/// `giter verify` all refuse it.
@Suite("The ledger: encryption key ids keep their keys")
struct EncryptionKeyRebindingTests {
    static func policy(keys: [(id: String, key: EncryptionKey)]) -> String {
        let entries = keys.map { "    - {id: \($0.id), publicKey: \($0.key.publicKeyText)}" }.joined(separator: "\n")
        return Files.policyText.replacingOccurrences(
            of: "    - email: runner@testbed.example\n",
            with: "    - email: runner@testbed.example\n      encryptionKeys:\n" + entries.replacingOccurrences(of: "    - {", with: "      - {") + "\n")
    }

    @Test func anIdBoundToAnotherKeyIsRefusedAndANewIdAccepted() async throws {
        let first = try EncryptionPrivateKey.generate(id: "run-1").publicKey
        let second = try EncryptionPrivateKey.generate(id: "run-1").publicKey
        let initial = Self.policy(keys: [("run-1", first)])
        #expect(initial.contains("encryptionKeys:"), "\(initial)")
        var contract = Files.contract
        contract[Files.policy] = initial
        var history = try await History(contract)

        let rebound = try await history.check(Who.owner, [.write(Files.policy, Self.policy(keys: [("run-1", second)]))])
        #expect(rebound.violations.seen == [Seen(.contract, Files.policy, rebound.commit)])
        #expect(rebound.violations.first?.message.contains("run-1 is bound to another public key") == true, "\(rebound.violations)")
        #expect(try await history.inForce(Files.policy) == initial, "the policy in force keeps the first key")

        let rotated = try await history.check(Who.owner, [.write(Files.policy, Self.policy(keys: [("run-2", second)]))])
        #expect(rotated.violations.isEmpty, "\(rotated.violations)")
        let both = try await history.check(
            Who.owner, [.write(Files.policy, Self.policy(keys: [("run-2", second), ("run-3", first)]))])
        #expect(both.violations.isEmpty, "\(both.violations)")
    }
}
