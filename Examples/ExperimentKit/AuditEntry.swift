public import Foundation

/// One commit of an exchange, as its trailers describe it: who wrote it, in
/// which role, and which specs and statuses it wrote.
public struct AuditEntry: Sendable, Hashable {
    /// The abbreviated commit id.
    public var commit: String
    /// The commit time.
    public var date: Date
    /// The author's name.
    public var author: String
    /// The author's e-mail address.
    public var email: String
    /// The first line of the message.
    public var subject: String
    /// The role the commit claims (`Giter-Role`).
    public var role: String?
    /// `Giter-Apply` values: `namespace/Kind/name generation=N`.
    public var applies: [String]
    /// `Giter-Status` values: `namespace/Kind/name observedGeneration=N`.
    public var statuses: [String]
    /// `Giter-Archive` values.
    public var archives: [String]
    /// `Giter-Delete` values.
    public var deletes: [String]

    /// Parses one record of ``LocalExchangeRepository/auditTrail(limit:)``'s
    /// `git log` output: fields separated by U+001F, list items by U+001D.
    init?(record: String) {
        let fields = record.split(separator: "\u{1f}", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 10, let seconds = TimeInterval(fields[1]) else { return nil }
        func list(_ text: String) -> [String] {
            text.split(whereSeparator: { $0 == "\u{1d}" || $0 == "\n" }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        commit = fields[0]
        date = Date(timeIntervalSince1970: seconds)
        author = fields[2]
        email = fields[3]
        subject = fields[4]
        role = list(fields[5]).last
        applies = list(fields[6])
        statuses = list(fields[7])
        archives = list(fields[8])
        deletes = list(fields[9])
    }

    /// What the commit did, briefly: `apply 12 (sha256-b1-01 g1, sieve-b1-02 g1, …)`.
    public var changes: String {
        var parts: [String] = []
        for (word, values) in [("spec", applies), ("status", statuses), ("archive", archives), ("delete", deletes)]
        where !values.isEmpty {
            let shown = values.prefix(2).map(Self.brief).joined(separator: ", ")
            let more = values.count > 2 ? ", …" : ""
            parts.append("\(word) ×\(values.count) (\(shown)\(more))")
        }
        return parts.isEmpty ? subject : parts.joined(separator: "; ")
    }

    /// `a1b2c3d  21:30:05  Experiment producer <producer@giter.example>  producer  spec ×12 (…)`.
    public var line: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return "\(commit)  \(formatter.string(from: date))  \(author) <\(email)>  [\(role ?? "no role")]  \(changes)"
    }

    /// `default/Experiment/sieve-b1-02 generation=1` → `sieve-b1-02 g1`.
    static func brief(_ value: String) -> String {
        let parts = value.split(separator: " ")
        let name = parts.first.map { $0.split(separator: "/").last.map(String.init) ?? String($0) } ?? value
        guard parts.count > 1, let equals = parts[1].firstIndex(of: "=") else { return name }
        let key = parts[1][..<equals]
        let number = parts[1][parts[1].index(after: equals)...]
        return "\(name) \(key == "observedGeneration" ? "obs" : "g")\(number)"
    }
}
