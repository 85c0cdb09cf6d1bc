/// A forge (or any sender) whose webhooks the receiver verifies, named by
/// the last part of the path it posts to: `POST /hooks/<provider>`.
///
/// Each provider signs its deliveries its own way; the receiver checks that
/// signature, in constant time, before it reads anything else of the
/// request. See `Documentation/Events.md`, "Webhooks", for each forge's
/// set-up.
///
/// | provider | credential | delivery id |
/// |---|---|---|
/// | ``github`` | `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` | `X-GitHub-Delivery` |
/// | ``gitea`` | `X-Gitea-Signature: <hex HMAC-SHA256 of the body>` | `X-Gitea-Delivery` |
/// | ``forgejo`` | `X-Forgejo-Signature` (else `X-Gitea-Signature`), as Gitea | `X-Forgejo-Delivery` (else `X-Gitea-Delivery`) |
/// | ``gitlab`` | `X-Gitlab-Token: <the secret>` | `Idempotency-Key` (else `X-Gitlab-Event-UUID`) |
/// | ``bitbucket`` | `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` | `X-Request-UUID` (Cloud) or `X-Request-Id` (Data Center) |
/// | ``generic`` | Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` | `webhook-id` |
public enum WebhookProvider: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// GitHub and GitHub Enterprise Server.
    case github
    /// Gitea.
    case gitea
    /// Forgejo (and Codeberg); it also sends Gitea's header names.
    case forgejo
    /// GitLab's secret token. (GitLab's signing token follows Standard
    /// Webhooks: use ``generic`` for it.)
    case gitlab
    /// Bitbucket Cloud and Bitbucket Data Center (Server).
    case bitbucket
    /// Any sender that follows the Standard Webhooks specification
    /// (`webhook-id`, `webhook-timestamp`, `webhook-signature`), with a
    /// `whsec_` secret.
    case generic

    public var description: String { rawValue }
}
