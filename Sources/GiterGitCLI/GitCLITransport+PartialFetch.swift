public import Giter

extension GitCLITransport {
    /// The filter of a partial mirror's fetches: commits and trees, no blobs.
    static let blobFilter = "--filter=blob:none"

    /// The most ids one `git fetch --stdin` asks for: a larger set takes
    /// one request per this many, so that no request grows without bound.
    static let missingBlobsPerRequest = 50_000

    /// Those of `ids` the mirror lacks, found by one `git cat-file
    /// --batch-check` (the mirror's configuration names no promisor
    /// remote, so it reports a missing blob instead of fetching it), then
    /// downloaded with one `git fetch --stdin` of their ids from the
    /// promisor remote (``network(_:input:settings:throwing:)``), so the pack is
    /// kept as a promisor pack. Git checks every
    /// object's hash as it stores the pack. Nothing is asked of the remote
    /// when the mirror is not partial or lacks none of them.
    @discardableResult
    public func fetchMissingBlobs(_ ids: [ObjectID]) async throws -> Int {
        guard configuration.fetchesBlobsOnDemand, !ids.isEmpty else { return 0 }
        var missing: [ObjectID] = []
        var seen: Set<ObjectID> = []
        let unique = ids.filter { seen.insert($0).inserted }
        for start in stride(from: 0, to: unique.count, by: Self.missingBlobsPerRequest) {
            let chunk = unique[start..<min(unique.count, start + Self.missingBlobsPerRequest)]
            let input = Array(chunk.map { $0.hex + "\n" }.joined().utf8)
            let result = try await runner.check(["cat-file", "--batch-check=%(objectname)"], input: input)
            for line in result.standardOutput.split(separator: 0x0A) {
                let fields = GitOutput.text(line).split(separator: " ")
                if fields.count == 2, fields[1] == "missing", let id = ObjectID(hex: String(fields[0])) {
                    missing.append(id)
                }
            }
        }
        if missing.isEmpty { return 0 }
        for start in stride(from: 0, to: missing.count, by: Self.missingBlobsPerRequest) {
            let chunk = missing[start..<min(missing.count, start + Self.missingBlobsPerRequest)]
            let input = Array(chunk.map { $0.hex + "\n" }.joined().utf8)
            // No negotiation (as git's own lazy fetch): a "have" of the tip tells a server with bitmaps
            // (any repository packed by `git gc`) that the mirror has every object reachable from it, these
            // blobs included, and it sends none ("did not send all necessary objects").
            try await network(
                ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--stdin", "origin"],
                input: input, settings: [("fetch.negotiationAlgorithm", "noop")])
        }
        blobsFetchedOnDemand.add(missing.count)
        return missing.count
    }

    /// How many blobs ``fetchMissingBlobs(_:)`` downloaded (for tests and diagnostics).
    var blobsDownloaded: Int { blobsFetchedOnDemand.value }
}
