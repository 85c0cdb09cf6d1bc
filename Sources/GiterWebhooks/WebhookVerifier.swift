import Crypto
import HTTPTypes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks a delivery's credential against a provider's secrets: the one
/// rule of each provider, in one place.
///
/// Every comparison of a secret or a signature takes the same time
/// wherever the inputs differ (swift-crypto's HMAC check; ``ConstantTime``
/// for tokens). A malformed header is a failed check, never an error.
struct WebhookVerifier: Sendable {
    /// What a check decided.
    enum Verdict: Sendable, Equatable {
        /// The credential holds; the delivery id to drop repeats by, when the sender gave one.
        case verified(deliveryID: String?)
        /// The credential is missing, malformed or wrong, or (Standard
        /// Webhooks) the timestamp is outside the tolerance.
        case refused
    }

    let provider: WebhookProvider
    let secrets: [WebhookSecret]
    let timestampTolerance: Duration
    let currentTime: @Sendable () -> Duration

    /// Whether `headers` carry the provider's credential at all: a request
    /// without one is refused before its body is read.
    func hasCredential(_ headers: HTTPFields) -> Bool {
        switch provider {
        case .github: headers[Self.hubSignature256] != nil
        case .gitea: headers[Self.giteaSignature] != nil
        case .forgejo: headers[Self.forgejoSignature] != nil || headers[Self.giteaSignature] != nil
        case .gitlab: headers[Self.gitlabToken] != nil
        case .bitbucket: headers[Self.hubSignature] != nil
        case .generic:
            headers[Self.webhookID] != nil && headers[Self.webhookTimestamp] != nil
                && headers[Self.webhookSignature] != nil
        }
    }

    /// Checks the credential in `headers` over `body`.
    func verify(_ headers: HTTPFields, body: [UInt8]) -> Verdict {
        let holds: Bool
        switch provider {
        case .github:
            holds = hexHMAC(headers[Self.hubSignature256], prefix: "sha256=", body: body)
        case .gitea:
            holds = hexHMAC(headers[Self.giteaSignature], prefix: "", body: body)
        case .forgejo:
            // Forgejo sends both names with the same value; its own is the one checked when present.
            holds = hexHMAC(headers[Self.forgejoSignature] ?? headers[Self.giteaSignature], prefix: "", body: body)
        case .gitlab:
            holds = token(headers[Self.gitlabToken])
        case .bitbucket:
            holds = hexHMAC(headers[Self.hubSignature], prefix: "sha256=", body: body)
        case .generic:
            return standardWebhooks(headers, body: body)
        }
        guard holds else { return .refused }
        return .verified(deliveryID: deliveryID(headers))
    }

    /// The delivery id the provider sends, if any.
    private func deliveryID(_ headers: HTTPFields) -> String? {
        let id: String? =
            switch provider {
            case .github: headers[Self.githubDelivery]
            case .gitea: headers[Self.giteaDelivery]
            case .forgejo: headers[Self.forgejoDelivery] ?? headers[Self.giteaDelivery]
            // The idempotency key stays the same across GitLab's retries (17.4 and later);
            // the event UUID is the older id.
            case .gitlab: headers[Self.idempotencyKey] ?? headers[Self.gitlabEventUUID]
            case .bitbucket: headers[Self.bitbucketCloudRequest] ?? headers[Self.bitbucketServerRequest]
            case .generic: headers[Self.webhookID]
            }
        guard let id, !id.isEmpty else { return nil }
        return id
    }

    /// `value` is `prefix` then the hex HMAC-SHA256 of `body` under one of the secrets.
    private func hexHMAC(_ value: String?, prefix: String, body: [UInt8]) -> Bool {
        guard let value, value.hasPrefix(prefix),
            let mac = Self.hexBytes(value.utf8.dropFirst(prefix.utf8.count)), mac.count == SHA256.byteCount
        else { return false }
        var holds = false
        for secret in secrets {
            // Every secret is tried, so the time taken does not tell which matched.
            let key = SymmetricKey(data: secret.bytes)
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) { holds = true }
        }
        return holds
    }

    /// `value` is one of the secrets itself (GitLab's secret token).
    private func token(_ value: String?) -> Bool {
        guard let value else { return false }
        var holds = false
        for secret in secrets where ConstantTime.equal(Array(value.utf8), secret.bytes) {
            holds = true
        }
        return holds
    }

    /// Standard Webhooks: any `v1,<base64>` entry of `webhook-signature` is
    /// the HMAC-SHA256 of `id.timestamp.body` under a secret's key, and the
    /// timestamp is within the tolerance of now.
    private func standardWebhooks(_ headers: HTTPFields, body: [UInt8]) -> Verdict {
        guard let id = headers[Self.webhookID], !id.isEmpty, id.utf8.count <= 256,
            let stamp = headers[Self.webhookTimestamp], let signatures = headers[Self.webhookSignature],
            stamp.utf8.count <= 12, stamp.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let seconds = Int64(stamp)
        else { return .refused }
        let macs = signatures.split(separator: " ").compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix("v1,"), let data = Data(base64Encoded: String(entry.dropFirst(3))),
                data.count == SHA256.byteCount
            else { return nil }
            return [UInt8](data)
        }
        guard !macs.isEmpty, macs.count <= 16 else { return .refused }
        let signed = Array("\(id).\(stamp).".utf8) + body
        var holds = false
        for secret in secrets {
            guard let key = secret.standardWebhooksKey else { continue }
            let symmetricKey = SymmetricKey(data: key)
            for mac in macs
            where HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: symmetricKey) {
                holds = true
            }
        }
        guard holds else { return .refused }
        let now = currentTime()
        let sent = Duration.seconds(seconds)
        guard sent <= now + timestampTolerance, now <= sent + timestampTolerance else { return .refused }
        return .verified(deliveryID: id)
    }

    /// The bytes of an even-length hex string; nil for anything else.
    static func hexBytes(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0, text.count <= 256 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8?
        for character in text {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    // The header names, as the providers document them (HTTP names are case-insensitive).
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
    static let hubSignature = HTTPField.Name("X-Hub-Signature")!
    static let githubDelivery = HTTPField.Name("X-GitHub-Delivery")!
    static let giteaSignature = HTTPField.Name("X-Gitea-Signature")!
    static let giteaDelivery = HTTPField.Name("X-Gitea-Delivery")!
    static let forgejoSignature = HTTPField.Name("X-Forgejo-Signature")!
    static let forgejoDelivery = HTTPField.Name("X-Forgejo-Delivery")!
    static let gitlabToken = HTTPField.Name("X-Gitlab-Token")!
    static let gitlabEventUUID = HTTPField.Name("X-Gitlab-Event-UUID")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let bitbucketCloudRequest = HTTPField.Name("X-Request-UUID")!
    static let bitbucketServerRequest = HTTPField.Name("X-Request-Id")!
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!
}

/// Comparisons whose time does not depend on where the inputs differ.
enum ConstantTime {
    /// Whether `lhs` and `rhs` are equal, compared through their SHA-256
    /// digests so that neither the position of a difference nor the length
    /// of the secret shows in the time taken.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        let left = Array(SHA256.hash(data: lhs))
        let right = Array(SHA256.hash(data: rhs))
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
