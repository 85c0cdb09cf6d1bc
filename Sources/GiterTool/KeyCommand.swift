import ArgumentParser
import Foundation
import Giter

/// `giter key generate --id ID -o FILE`: an X25519 key pair for encrypted
/// fields (`Documentation/Encryption.md`).
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Make keys for x-giter-encrypted fields.",
        subcommands: [KeyGenerateCommand.self]
    )
}

struct KeyGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make an X25519 key pair for encrypted fields.",
        discussion: """
            Writes the private key to FILE (mode 0600, never over an existing \
            file) and prints the public half as the entry to add under the \
            member's encryptionKeys in .giter/policy.yaml. Give the file to \
            readers with --decryption-key FILE (or StoreOptions.fieldKeys in the \
            SDK). To rotate, make a key with a new id, list it instead of the \
            old one in the policy, and keep the old file: values sealed before \
            stay readable with it, in history too.

            Examples:
              giter key generate --id lab-2026 -o ~/.config/giter/lab-2026.key
            """
    )

    @Option(name: .long, help: ArgumentHelp("The key id: 1 to 63 of a-z, 0-9, '-', '.', '_'.", valueName: "id"))
    var id: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The private key file to write.", valueName: "file"))
    var output: String

    func run() async throws {
        try await ErrorReporting.run {
            let key: EncryptionPrivateKey
            do throws(EncryptionError) {
                key = try EncryptionPrivateKey.generate(id: id)
            } catch {
                throw ToolError.usage(error.message)
            }
            let path = LocalPath.absolute(output)
            // O_EXCL: never over an existing key; 0600 from the start.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw ToolError("cannot create \(path): \(String(cString: strerror(errno))); choose a path that does not exist")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            do {
                try handle.write(contentsOf: Data(key.fileText.utf8))
                try handle.close()
            } catch {
                throw ToolError("cannot write \(path): \(error.localizedDescription)")
            }
            let publicKey = key.publicKey
            print("# Add under the member's encryptionKeys in .giter/policy.yaml:")
            print("- id: \(publicKey.id)")
            print("  publicKey: \(publicKey.publicKeyText)")
        }
    }
}
