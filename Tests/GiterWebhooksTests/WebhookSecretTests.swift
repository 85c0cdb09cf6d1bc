import Foundation
import Giter
import GiterWebhooks
import Testing

struct WebhookSecretTests {
    private func file(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "giter-webhook-secret-\(UUID().uuidString)"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aSecretFileLosesItsTrailingNewline() async throws {
        let path = try file("s3cret\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try WebhookSecret("s3cret")
        #expect(try WebhookSecret(contentsOfFile: path) == expected)
        let crlf = try file("s3cret\r\n")
        defer { try? FileManager.default.removeItem(atPath: crlf) }
        #expect(try WebhookSecret(contentsOfFile: crlf) == expected)
    }

    @Test(arguments: ["", "\n", "\r\n\n"])
    func anEmptySecretFileIsRefused(contents: String) async throws {
        let path = try file(contents)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: WebhookError.self) { try WebhookSecret(contentsOfFile: path) }
        #expect(error?.code == .invalidSecret)
        #expect(error?.message.contains(path) == true)
    }

    @Test func aMissingOrHugeSecretFileIsRefused() async throws {
        let missing = #expect(throws: WebhookError.self) { try WebhookSecret(contentsOfFile: "/nonexistent/secret") }
        #expect(missing?.code == .unreadableSecret)
        let path = try file(String(repeating: "x", count: WebhookSecret.maxFileBytes + 1))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let huge = #expect(throws: WebhookError.self) { try WebhookSecret(contentsOfFile: path) }
        #expect(huge?.code == .invalidSecret)
    }

    @Test func aSecretNeverShowsInItsDescription() throws {
        let secret = try WebhookSecret("hunter2-very-secret")
        #expect(!"\(secret)".contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        #expect(!"\([secret])".contains("hunter2"))
    }

    @Test func aGenericSecretMustBeAStandardWebhooksSecret() throws {
        let plain = try WebhookSecret("not-a-whsec-secret")
        let configuration = WebhookConfiguration(branch: "main", secrets: [.generic: [plain]])
        let error = #expect(throws: WebhookError.self) {
            _ = try WebhookReceiver(configuration: configuration, notifier: ChangeNotifier())
        }
        #expect(error?.code == .invalidSecret)
    }
}
