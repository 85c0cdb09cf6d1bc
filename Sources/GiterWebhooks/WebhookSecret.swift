import Foundation

/// A shared secret of a webhook: the key its sender signs with (or, for
/// ``WebhookProvider/gitlab``, the token it sends).
///
/// A secret never appears in a description, a log line or an error:
/// `print(secret)` shows `WebhookSecret(redacted)`. Read it from a file
/// (``init(contentsOfFile:)``) rather than from a command line, where every
/// user of the machine can see it.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The longest secret file read: a secret is a few dozen bytes.
    public static let maxFileBytes = 4096

    /// The secret's bytes, as the sender's settings hold them.
    let bytes: [UInt8]

    /// A secret made of `text`'s UTF-8 bytes.
    ///
    /// - Throws: ``WebhookError`` with code ``WebhookError/Code/invalidSecret``
    ///   when `text` is empty.
    public init(_ text: String) throws {
        try self.init(bytes: Array(text.utf8), source: "the secret")
    }

    /// The secret in the file at `path`: its bytes without the line ends at
    /// its end (editors add one).
    ///
    /// - Throws: ``WebhookError`` when the file cannot be read, is larger
    ///   than ``maxFileBytes``, or holds nothing but line ends.
    public init(contentsOfFile path: String) throws {
        // Read at most one byte past the bound, whatever the file is (a pipe too).
        let data: Data
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw WebhookError(.unreadableSecret, "cannot open the webhook secret file \(path)")
            }
            defer { try? handle.close() }
            data = try handle.read(upToCount: Self.maxFileBytes + 1) ?? Data()
        } catch let error as WebhookError {
            throw error
        } catch {
            throw WebhookError(.unreadableSecret, "cannot read the webhook secret file \(path): \(error)")
        }
        guard data.count <= Self.maxFileBytes else {
            throw WebhookError(
                .invalidSecret,
                "the webhook secret file \(path) is larger than \(Self.maxFileBytes) bytes: "
                    + "give a file that holds only the secret"
            )
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        try self.init(bytes: bytes, source: "the webhook secret file \(path)")
    }

    private init(bytes: [UInt8], source: String) throws {
        guard !bytes.isEmpty else {
            throw WebhookError(.invalidSecret, "\(source) is empty: put the secret the sender is set up with in it")
        }
        self.bytes = bytes
    }

    /// Whether the secret is a Standard Webhooks secret (`whsec_` and
    /// base64), the form ``WebhookProvider/generic`` needs.
    public var isStandardWebhooksSecret: Bool { standardWebhooksKey != nil }

    /// The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`;
    /// nil when the secret is not of that form.
    var standardWebhooksKey: [UInt8]? {
        let prefix = Array("whsec_".utf8)
        guard bytes.count > prefix.count, Array(bytes.prefix(prefix.count)) == prefix else { return nil }
        let encoded = String(decoding: bytes.dropFirst(prefix.count), as: UTF8.self)
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else { return nil }
        return [UInt8](key)
    }

    /// Compared in constant time, as every use of a secret is.
    public static func == (lhs: WebhookSecret, rhs: WebhookSecret) -> Bool {
        ConstantTime.equal(lhs.bytes, rhs.bytes)
    }

    public var description: String { "WebhookSecret(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
