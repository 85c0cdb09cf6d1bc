/// Takes secrets out of text that goes into an exchange's permanent history
/// (a failing program's standard error, in `giter reconcile --exec`):
/// the values of secret environment variables, the user information of
/// URLs (`https://user:token@host` becomes `https://[redacted]@host`), and
/// the value of an `Authorization:` header.
struct SecretRedaction: Sendable {
    /// What stands in for a secret.
    static let mask = "[redacted]"
    /// Environment variables whose values are always secrets.
    static let secretVariables = [
        "GITER_TOKEN", "GITER_PASSWORD", "GITER_SIGNING_KEY", "SSH_AUTH_SOCK", "GITER_REGISTRY_PASSWORD",
    ]

    /// The secret values to take out, longest first (one may hold another).
    private let values: [String]

    /// Redacts the values of ``secretVariables`` and of `passed` (variables
    /// given to the program with `--pass-env`) found in `environment`.
    init(environment: [String: String], passed: [String] = []) {
        let names = Set(Self.secretVariables + passed)
        // Short values would blank out ordinary words; a secret is longer than 3 characters.
        values = names.compactMap { environment[$0] }.filter { $0.count > 3 }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret replaced by ``mask``.
    func redact(_ text: String) -> String {
        var text = text
        for value in values { text = text.replacing(value, with: Self.mask) }
        text = text.replacing(#/(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@]+@/#) { match in
            "\(match.output.scheme)\(Self.mask)@"
        }
        text = text.replacing(#/(?i)(?<header>authorization:\s*(?:(?:basic|bearer|token)\s+)?)\S+/#) { match in
            "\(match.output.header)\(Self.mask)"
        }
        return text
    }
}
