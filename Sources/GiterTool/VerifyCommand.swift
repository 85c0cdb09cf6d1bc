import ArgumentParser
import Giter

/// `giter verify`: checks every commit of the exchange branch against the
/// contract in force at its parent, for CI.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every commit of the exchange branch against its contract.",
        discussion: """
            Fetches the branch, then judges each commit of its first-parent \
            chain against the contract in force at its parent (.giter/policy.yaml \
            and .giter/crds/), as readers and the server's guard do: a \
            violating commit changes nothing, and later commits are judged \
            against the files as they stood. Prints one line per violation, \
            COMMIT PATH: RULE: MESSAGE (PATH is - for a whole commit, such as \
            a merge or a non-member's), then 'verified N commits: K violations'.

            By default the whole branch is checked, its first commit as \
            readers judge it (trusted when it holds .giter/policy.yaml). --trust-root COMMIT pins the commit whose contract you \
            trust: a history that does not descend from it is refused. --from \
            REV trusts the state at REV and checks the commits after it; --to \
            REV stops at REV instead of the branch's tip. REV is a commit id \
            (abbreviated to at least 4 digits when it is on the branch) or a \
            ref of the local mirror.

            With no policy in force the exchange is open: roles come from \
            the commits' Giter-Role trailers and are not enforced; a note \
            says so on every run. Features of a definition Giter does not \
            enforce (CEL rules, for one) are noted once each. Notes go to \
            standard error.

            -o json prints the violations as a JSON array of objects with \
            commit, path, rule, message, line and column (null where absent) \
            on standard output, and the summary on standard error.

            Exit status: 0 when no commit violates the contract, 1 when one \
            does or the history cannot be read or is not descended from \
            --trust-root, 64 for a usage error.

            Examples:
              giter verify --remote https://git.example.com/lab/exchange.git
              giter verify --trust-root 3f2a9c1 -o json
              giter verify --from 3f2a9c1 --to 8be0d4e
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var exchange: ExchangeOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Trust the state at this commit and check the commits after it.", valueName: "rev")
    )
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Check up to this commit (default: the branch's tip).", valueName: "rev"))
    var to: String?

    @Option(
        name: .customLong("trust-root"),
        help: ArgumentHelp(
            "The commit whose contract is trusted; the history must descend from it.",
            valueName: "commit"
        )
    )
    var trustRoot: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var output: OutputFormat = .text

    func run() async throws {
        try await ErrorReporting.run {
            let opened = try await Exchange.open(exchange, checksGroup: false)
            let reader = opened.transport
            guard let tip = try await reader.fetch() else { throw opened.noBranch() }
            if let (group, branches) = opened.exchangeBranch {
                // The exchange-branch rule, on exactly the tip judged below.
                do {
                    try await branches.verifyBase(of: group, at: tip)
                } catch let error as StoreError where error.code == .historyRefused {
                    throw ToolError("refusing the exchange group \(group): \(error.message)")
                }
            }
            let branch = try await Self.chain(to: tip, reader: reader, url: opened.url)
            var end = tip
            if let to { end = try await Self.commit(to, in: branch, reader: reader) }
            let chain = end == tip ? branch : try await Self.chain(to: end, reader: reader, url: opened.url)
            guard let root = chain.first else { throw opened.noBranch() }
            var start = root.id
            if let trustRoot {
                let anchor = try await Self.commit(trustRoot, in: branch, reader: reader)
                guard chain.contains(where: { $0.id == anchor }) else {
                    throw ToolError(
                        "the history of \(opened.branch) at \(end.hex) does not descend from the trust root \(anchor.hex): "
                            + "it is another exchange's, or was rewritten; check --remote and --trust-root"
                    )
                }
                start = anchor
            }
            if let from {
                let trusted = try await Self.commit(from, in: branch, reader: reader)
                guard let index = chain.firstIndex(where: { $0.id == trusted }),
                    let anchorIndex = chain.firstIndex(where: { $0.id == start }), index >= anchorIndex
                else {
                    throw ToolError(
                        "--from \(from) is not on the first-parent chain between \(start.hex) and \(end.hex); "
                            + "pick a commit of that range"
                    )
                }
                start = trusted
            }
            let startIndex = chain.firstIndex { $0.id == start } ?? 0
            let rest = chain[(startIndex + 1)...]
            // The whole branch is judged from its root as readers judge it; a pinned start is trusted as it stands.
            let audit =
                trustRoot == nil && from == nil
                ? try await ContractAudit(reader: reader, root: root, chain: rest)
                : try await ContractAudit(reader: reader, start: start, chain: rest)
            try report(audit)
        }
    }

    private func report(_ audit: ContractAudit) throws {
        if audit.openAtEnd || audit.openCommits > 0 {
            let judged = audit.openCommits == audit.commits.count ? "" : " (\(audit.openCommits) of the commits)"
            StandardError.write(
                "note: no \(ExchangePolicy.path) in force\(judged): roles are not enforced (an open exchange); "
                    + "an admin commits a policy to enforce them (see 'giter init --admin')\n"
            )
        }
        for feature in audit.notEnforced {
            StandardError.write("note: not enforced: \(feature)\n")
        }
        let violations = audit.violations
        let summary = "verified \(audit.commits.count) commits: \(violations.count) violations\n"
        switch output {
        case .text:
            var lines = audit.commits.map { commit in
                let verdict = audit.verdicts[commit.id]
                let writer = verdict?.writer ?? "-"
                let signature = verdict?.signature?.description ?? "signature not checked (the first commit, or no readable contract in force)"
                return "\(commit.id.hex.prefix(12))  \(writer)  \(commit.author.email)  \(signature)\n"
            }
            lines += violations.map { "\($0)\n" }
            StandardOutput.write(lines.joined() + summary)
        case .json:
            StandardOutput.write(
                try JSONWriter(options: .pretty).write(.sequence(violations.map(Self.document))) + "\n"
            )
            StandardError.write(summary)
        }
        if !violations.isEmpty { throw ExitCode.failure }
    }

    /// A violation as `-o json` prints it.
    static func document(_ violation: ContractViolation) -> Node {
        func text(_ value: String?) -> Node { value.map { .string($0) } ?? .null }
        func number(_ value: Int?) -> Node { value.map { Node(integerLiteral: $0) } ?? .null }
        return .mapping([
            "commit": text(violation.commit?.hex),
            "path": text(violation.path),
            "rule": .string(violation.rule.rawValue),
            "message": .string(violation.message),
            "line": number(violation.location?.line),
            "column": number(violation.location?.column),
        ])
    }

    /// The branch's first-parent chain up to `tip`.
    private static func chain(to tip: ObjectID, reader: any RepositoryReader, url: String) async throws -> [CommitInfo]
    {
        guard let chain = try await ExchangeLedger.chain(from: tip, to: nil, reader: reader) else {
            throw ToolError(
                "cannot walk the history of \(url): a commit of its first-parent chain is missing; fetch again"
            )
        }
        return chain
    }

    /// The commit `text` names: an id or abbreviation of a commit on `branch`,
    /// else a full id or ref the mirror resolves.
    ///
    /// - Throws: a usage ``ToolError`` when it names nothing, or an abbreviation is ambiguous.
    static func commit(_ text: String, in branch: [CommitInfo], reader: any RepositoryReader) async throws -> ObjectID {
        let lowered = text.lowercased()
        // A full id names a commit even when this history lacks it (another exchange's root).
        if lowered.count == 40, let id = ObjectID(hex: lowered) { return id }
        if lowered.count >= 4, lowered.allSatisfy(\.isHexDigit) {
            let matches = branch.filter { $0.id.hex.hasPrefix(lowered) }
            if matches.count == 1 { return matches[0].id }
            if matches.count > 1 {
                throw ToolError.usage("'\(text)' names more than one commit of the branch; give more digits")
            }
        }
        if let id = try? await reader.resolve(text) { return id }
        throw ToolError.usage("'\(text)' names no commit of the exchange branch or ref of the mirror; give a commit id")
    }
}
