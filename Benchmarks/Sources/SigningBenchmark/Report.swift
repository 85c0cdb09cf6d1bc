import Foundation

/// The benchmark's results as Markdown on standard output: the machine,
/// one table for the signing cost, one per key type for verification, and
/// the targets of issue 11, pass or fail per run and for the median.
struct Report {
    let options: Options
    let signing: [SigningCost.Row]
    let chains: [VerificationThroughput.Chain]
    let verification: [VerificationThroughput.Row]

    /// The 1 ms target for in-process signing, and the 0.5 s one for 1,000 ed25519 commits.
    static let signingTarget = 0.001
    static let verificationTarget = 0.5
    static let verificationTargetCommits = 1_000

    func print() {
        printSigning()
        printVerification()
        printTargets()
    }

    // MARK: Signing

    private func printSigning() {
        Swift.print("### Signing cost per commit\n")
        Swift.print(
            "Each Giter signer: \(options.signingCommits) commits per run through the transport; the peer: "
                + "\(options.peerCommits) `git commit-tree` processes per run and variant (an empty tree, so the "
                + "peer's numbers are process start-up plus signing). \(options.runs) runs, contenders alternating. "
                + "Median and p90 per run, then the median of the runs; spread: the lowest and highest run median.\n")
        var table: [[String]] = []
        for row in signing {
            let medians = Samples(row.runs.map(\.median))
            let p90s = Samples(row.runs.map { $0.percentile(0.9) })
            let added = row.isBaseline ? "" : Self.ms(addedOverBaseline(row).median)
            table.append([
                row.group, row.name, Self.ms(medians.median), Self.ms(p90s.median), added,
                Self.ms(medians.minimum) + "–" + Self.ms(medians.maximum),
            ])
        }
        Self.table(
            ["Where", "Signer", "median ms", "p90 ms", "added over unsigned ms", "run medians ms (min–max)"], table)
    }

    /// Per run: the row's median minus its group's unsigned median in the same run.
    private func addedOverBaseline(_ row: SigningCost.Row) -> Samples {
        guard let baseline = signing.first(where: { $0.group == row.group && $0.isBaseline }) else { return Samples() }
        return Samples(zip(row.runs, baseline.runs).map { $0.median - $1.median })
    }

    // MARK: Verification

    private func printVerification() {
        for chain in chains {
            let count = chain.ids.count
            Swift.print("\n### Verifying \(count) commits signed with \(chain.name)\n")
            Swift.print(
                "The chain was made once by Giter's signer: \(Self.seconds(chain.signingSeconds)) s for \(count) signed "
                    + "commits (libgit2 transport). Seconds for the whole chain, median of \(options.runs) runs.\n")
            var table: [[String]] = []
            let rows = verification.filter { $0.chain == chain.name }
            let reference = rows.first { $0.name == VerificationThroughput.signaturesOnly }?.runs.median ?? .nan
            for row in rows {
                let median = row.runs.median
                table.append([
                    row.name, Self.seconds(median),
                    Self.seconds(row.runs.minimum) + "–" + Self.seconds(row.runs.maximum),
                    String(Int((Double(count) / median).rounded())), Self.fixed(median / reference, 1) + "×",
                ])
            }
            Self.table(["Contender", "median s", "runs s (min–max)", "commits/s", "÷ (a)"], table, numericFrom: 1)
        }
    }

    // MARK: Targets

    private func printTargets() {
        Swift.print("\n### Targets (issue 11, release build)\n")
        var table: [[String]] = []
        if let chain = chains.first(where: { $0.name == "ed25519" }),
            let row = verification.first(where: { $0.chain == chain.name && $0.name == VerificationThroughput.signaturesOnly })
        {
            // The target is for 1,000 commits; a shorter chain is scaled to it.
            let scale = Double(Self.verificationTargetCommits) / Double(chain.ids.count)
            let perRun = row.runs.values.map { $0 * scale }
            table.append(
                target(
                    "1,000 ed25519-signed commits verified (a) < 0.5 s", perRun, limit: Self.verificationTarget,
                    unit: "s"))
            if let full = verification.first(where: { $0.chain == chain.name && $0.name == VerificationThroughput.fullCheck }) {
                let values = full.runs.values.map { $0 * scale }
                table.append([
                    "(for information) the full check (b), same chain", values.map { Self.seconds($0) }.joined(separator: ", "),
                    Self.seconds(Samples(values).median), "no target",
                ])
            }
        }
        for row in signing where row.inProcess {
            let added = addedOverBaseline(row).values
            table.append(
                target("\(row.name), \(row.group): adds < 1 ms per commit", added, limit: Self.signingTarget, unit: "ms"))
        }
        Self.table(["Target", "per run", "median", "result"], table, numericFrom: 2)
    }

    /// A target's row: each run's value with PASS/FAIL, the median, and its result.
    private func target(_ name: String, _ values: [Double], limit: Double, unit: String) -> [String] {
        func text(_ value: Double) -> String { unit == "ms" ? Self.ms(value) : Self.seconds(value) }
        let runs = values.map { "\(text($0)) \($0 < limit ? "PASS" : "FAIL")" }.joined(separator: ", ")
        let median = Samples(values).median
        return [name, runs, "\(text(median)) \(unit)", median < limit ? "**PASS**" : "**FAIL**"]
    }

    // MARK: Formatting

    static func ms(_ seconds: Double) -> String { fixed(seconds * 1_000, seconds < 0.01 ? 3 : 1) }
    static func seconds(_ seconds: Double) -> String { fixed(seconds, seconds < 1 ? 3 : 2) }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        return String(format: "%.\(decimals)f", value)
    }

    /// A Markdown table; the columns from `numericFrom` on are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numericFrom: Int = 2) {
        func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
        Swift.print(line(header))
        Swift.print("|" + header.indices.map { $0 < numericFrom ? "---" : "---:" }.joined(separator: "|") + "|")
        for row in rows { Swift.print(line(row)) }
    }
}
