/// A remote's floor for one backend: the median push and the median no-op
/// fetch (milliseconds) of a program that does only that, against the same
/// server as the exchange, in the same run; and the median fetch of a
/// second repository that brings the commit just pushed (`fetchNew`), which
/// is what a reader that learns of a change cannot do without.
struct NetworkFloor: Sendable {
    var push: Double
    var fetch: Double
    var fetchNew: Double
    /// libgit2 rows only: the median push and new-commit fetch of raw
    /// libgit2 with the socket options Giter's libgit2 backend sets
    /// (`NETWORK_FLOOR_NO_STALLS`): what a client without 40 ms stalls pays.
    var withoutStalls: (push: Double, fetchNew: Double)?
}

/// The samples (milliseconds) of one or more slices of a floor; their
/// medians are the ``NetworkFloor``.
struct FloorSamples: Sendable {
    var pushes: [Double] = []
    var fetches: [Double] = []
    var newFetches: [Double] = []
    var pushesWithoutStalls: [Double] = []
    var newFetchesWithoutStalls: [Double] = []

    mutating func append(_ other: FloorSamples) {
        pushes += other.pushes
        fetches += other.fetches
        newFetches += other.newFetches
        pushesWithoutStalls += other.pushesWithoutStalls
        newFetchesWithoutStalls += other.newFetchesWithoutStalls
    }

    var floor: NetworkFloor {
        NetworkFloor(
            push: Statistics(pushes).median, fetch: Statistics(fetches).median, fetchNew: Statistics(newFetches).median,
            withoutStalls: pushesWithoutStalls.isEmpty
                ? nil : (Statistics(pushesWithoutStalls).median, Statistics(newFetchesWithoutStalls).median))
    }
}

/// How many samples of the floor each of `slices` slices takes so that
/// together they take `total` (the first slices one more when it does not
/// divide).
func floorSliceSizes(total: Int, slices: Int) -> [Int] {
    let slices = max(1, min(slices, total))
    return (0..<slices).map { total / slices + ($0 < total % slices ? 1 : 0) }
}

/// Makes `folder/floor-<slice>.git` with one commit on main, served like the
/// exchange's remote, and measures `count` pushes and no-op fetches: raw
/// libgit2 (`network-floor`, Baselines/network-floor.c) for the libgit2
/// backend, `git push` / `git fetch` processes for the git CLI backend. A
/// run measures its floor in slices spread over its round trips (see
/// `runNetwork`), so that a load that drifts during the run weighs on the
/// floor as on the round trips.
func measureFloor(
    backend: Backend, remote: RemoteKind, servers: NetworkServers, folder: String, options: Options, spawner: Spawner,
    count: Int, slice: Int
) throws -> FloorSamples {
    let folder = folder + "/floor-\(slice)"
    try spawner.run(["mkdir", "-p", folder])
    let repository = folder + "/floor.git"
    try spawner.run(["git", "init", "-q", "--bare", "-b", "main", repository])
    let seed = folder + "/floor-seed.txt"
    try spawner.run(
        ["git", "commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-m", "floor seed"], in: repository,
        output: seed)
    let seedCommit = (readText(seed) ?? "").split(separator: "\n").first.map(String.init) ?? ""
    try spawner.run(["git", "update-ref", "refs/heads/main", seedCommit], in: repository)
    let endpoint = try servers.endpoint(remote, repository: repository)
    var pushes: [Double] = []
    var fetches: [Double] = []
    var newFetches: [Double] = []
    var withoutStalls: (push: [Double], fetchNew: [Double])?
    switch backend {
    case .libgit2:
        guard let helper = options.floorHelper else {
            throw BenchmarkError("--remotes needs --floor-helper PATH (run-exchange.sh builds Baselines/network-floor.c)")
        }
        /// Runs the helper in `work`; its samples in milliseconds by kind.
        func samples(_ work: String, spawner: Spawner) throws -> [Substring: [Double]] {
            let output = work + ".txt"
            try spawner.run(
                [helper, work, endpoint.url, String(count)] + endpoint.floorLogin, output: output)
            var samples: [Substring: [Double]] = [:]
            for line in (readText(output) ?? "").split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let nanoseconds = Double(fields[1]) else { continue }
                samples[fields[0], default: []].append(nanoseconds / 1e6)
            }
            return samples
        }
        let plain = try samples(folder + "/floor-work.git", spawner: spawner)
        pushes = plain["push"] ?? []
        fetches = plain["fetch"] ?? []
        newFetches = plain["fetch-new"] ?? []
        let tuned = try samples(
            folder + "/floor-nostalls.git", spawner: Spawner(overrides: ["NETWORK_FLOOR_NO_STALLS": "1"]))
        guard let tunedPushes = tuned["push"], let tunedFetches = tuned["fetch-new"],
            tunedPushes.count == count, tunedFetches.count == count
        else { throw BenchmarkError("the floor without stalls of \(remote.name) gave no samples") }
        withoutStalls = (tunedPushes, tunedFetches)
    case .gitCLI:
        var overrides = gitEnvironment
        for (key, value) in endpoint.gitEnvironment { overrides[key] = value }
        let git = Spawner(overrides: overrides)
        let work = folder + "/floor-work.git"
        try git.run(["git", "init", "-q", "--bare", "-b", "main", work])
        try git.run(["git", "remote", "add", "origin", endpoint.url], in: work)
        let refspec = "+refs/heads/main:refs/remotes/origin/main"
        try git.run(["git", "fetch", "--quiet", "--no-tags", "origin", refspec], in: work)
        let reader = folder + "/floor-work.git-reader"
        try git.run(["git", "init", "-q", "--bare", "-b", "main", reader])
        try git.run(["git", "remote", "add", "origin", endpoint.url], in: reader)
        try git.run(["git", "fetch", "--quiet", "--no-tags", "origin", refspec], in: reader)
        var tip = seedCommit
        let made = folder + "/floor-commit.txt"
        for sample in 0..<count {
            try git.run(
                ["git", "commit-tree", "\(tip)^{tree}", "-p", tip, "-m", "floor \(sample)"], in: work, output: made)
            tip = (readText(made) ?? "").split(separator: "\n").first.map(String.init) ?? ""
            var start = nowNanoseconds()
            try git.run(["git", "push", "--quiet", "origin", "\(tip):refs/heads/main"], in: work)
            pushes.append(Double(nowNanoseconds() - start) / 1e6)
            start = nowNanoseconds()
            try git.run(["git", "fetch", "--quiet", "--no-tags", "origin", refspec], in: reader)
            newFetches.append(Double(nowNanoseconds() - start) / 1e6)
            start = nowNanoseconds()
            try git.run(["git", "fetch", "--quiet", "--no-tags", "origin", refspec], in: work)
            fetches.append(Double(nowNanoseconds() - start) / 1e6)
        }
    }
    let counts = [pushes.count, fetches.count, newFetches.count]
    guard counts.allSatisfy({ $0 == count }) else {
        throw BenchmarkError(
            "the floor of \(remote.name) for \(backend.name) gave \(counts) pushes, no-op fetches and fetches of a new "
                + "commit, not \(count) of each")
    }
    if !options.keep { try? spawner.run(["rm", "-rf", folder]) }
    return FloorSamples(
        pushes: pushes, fetches: fetches, newFetches: newFetches, pushesWithoutStalls: withoutStalls?.push ?? [],
        newFetchesWithoutStalls: withoutStalls?.fetchNew ?? [])
}
