// The sample of Documentation/Encryption.md, verbatim, with the types it names.

import Foundation
import Giter
import GiterTesting
import Testing

struct VaultSpec: ResourceSpec { var owner: String; var password: String }
struct VaultStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
}
typealias Vault = CustomResource<VaultSpec, VaultStatus>

func vaultStore(transport: any Transport, identity: ExchangeIdentity, keyFile: String) throws -> GitResourceStore<Vault> {
    var options = StoreOptions(identity: identity)
    options.fieldKeys = try FieldKeyring(keyFiles: [keyFile])  // e.g. /etc/testbed/lab-2026.key
    // A Controller on this store hands its reconciler vault.spec.password in plaintext.
    return GitResourceStore(
        transport: transport, resourceType: ResourceType(apiVersion: "vaults.example.com/v1", kind: "Vault"),
        options: options)
}

@Suite struct EncryptionSampleTests {
    @Test func theSampleReadsTheKeyFileGiterKeyGenerateWrites() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("giter-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("lab-2026.key").path
        try Data(try EncryptionPrivateKey.generate(id: "lab-2026").fileText.utf8).write(to: URL(fileURLWithPath: keyFile))
        let identity = ExchangeIdentity(name: "Testbed", email: "runner@testbed.example", role: .consumer)
        let remote = InMemoryRemote()
        _ = try vaultStore(transport: remote.transport(), identity: identity, keyFile: keyFile)
        let missing = #expect(throws: EncryptionError.self) {
            _ = try vaultStore(transport: remote.transport(), identity: identity, keyFile: folder.appendingPathComponent("none.key").path)
        }
        #expect(missing?.code == .invalidKey)
        #expect(missing?.message.contains("none.key: cannot read the key file") == true, "\(String(describing: missing))")
    }
}
