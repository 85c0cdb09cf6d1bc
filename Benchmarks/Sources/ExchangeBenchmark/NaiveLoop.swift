/// The loop a user would write without Giter: two clones with working
/// trees; the producer does `git pull; edit; git add; git commit; git push`,
/// the consumer does the same for the status, and the producer pulls to
/// see it. Run back to back, so no poll interval is counted.
struct NaiveLoop {
    let spawner: Spawner
    let producer: String
    let consumer: String
    let files: Int

    /// Creates `folder/naive.git` holding `files` widget files and clones it twice.
    init(folder: String, files: Int, spawner: Spawner) throws(BenchmarkError) {
        self.spawner = spawner
        self.files = files
        let remote = folder + "/naive.git"
        producer = folder + "/naive-producer"
        consumer = folder + "/naive-consumer"
        try spawner.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        try spawner.run(["git", "clone", "-q", remote, producer], showErrors: false)
        try spawner.run(["mkdir", "-p", producer + "/resources/bench/widgets"])
        for index in 0..<files {
            try writeText(Self.document(name: "w-\(index)", revision: 0, status: nil), to: producer + "/" + path(index))
        }
        try spawner.run(["git", "add", "."], in: producer)
        try spawner.run(["git", "commit", "-q", "-m", "widgets"], in: producer)
        try spawner.run(["git", "push", "-q", "origin", "main"], in: producer, showErrors: false)
        try spawner.run(["git", "clone", "-q", remote, consumer], showErrors: false)
    }

    func path(_ index: Int) -> String { "resources/bench/widgets/w-\(index).yaml" }

    static func document(name: String, revision: Int, status: String?) -> String {
        """
        apiVersion: bench.giter.example/v1
        kind: Widget
        metadata:
          name: \(name)
          namespace: bench
          generation: \(revision + 1)
        spec:
          image: registry.example.com/widget:1.\(revision)
          replicas: 3
          revision: \(revision)

        """ + (status ?? "")
    }

    /// The three parts of one round trip, in nanoseconds.
    struct Sample {
        var producerPush: UInt64
        var consumer: UInt64
        var producerPull: UInt64
        var total: UInt64 { producerPush + consumer + producerPull }
    }

    /// One round trip on file `index % files` to `revision`.
    func roundTrip(_ index: Int, revision: Int) throws(BenchmarkError) -> Sample {
        let relative = path(index % files)
        let name = "w-\(index % files)"
        let start = nowNanoseconds()
        // Producer: pull, rewrite the spec keeping the status, add, commit, push.
        try git(["pull", "-q", "--ff-only"], in: producer)
        let producerFile = producer + "/" + relative
        let status = (readText(producerFile) ?? "").split(separator: "status:", maxSplits: 1).dropFirst().first
        try writeText(
            Self.document(name: name, revision: revision, status: status.map { "status:" + $0 }),
            to: producerFile
        )
        try git(["add", relative], in: producer)
        try git(["commit", "-q", "-m", "apply \(name) revision \(revision)"], in: producer)
        try git(["push", "-q", "origin", "main"], in: producer)
        let pushed = nowNanoseconds()
        // Consumer: pull, check the spec, write the status, add, commit, push.
        try git(["pull", "-q", "--ff-only"], in: consumer)
        let consumerFile = consumer + "/" + relative
        let text = readText(consumerFile) ?? ""
        guard text.contains("  revision: \(revision)\n") else {
            throw BenchmarkError("naive consumer did not see revision \(revision) of \(name)")
        }
        let spec = text.split(separator: "status:", maxSplits: 1).first.map(String.init) ?? text
        try writeText(spec + "status:\n  observedGeneration: \(revision + 1)\n  ready: true\n", to: consumerFile)
        try git(["add", relative], in: consumer)
        try git(["commit", "-q", "-m", "status \(name) generation \(revision + 1)"], in: consumer)
        try git(["push", "-q", "origin", "main"], in: consumer)
        let statusPushed = nowNanoseconds()
        // Producer: pull and read the status.
        try git(["pull", "-q", "--ff-only"], in: producer)
        guard (readText(producerFile) ?? "").contains("observedGeneration: \(revision + 1)\n  ready: true") else {
            throw BenchmarkError("naive producer did not see the status of \(name) revision \(revision)")
        }
        let end = nowNanoseconds()
        return Sample(producerPush: pushed - start, consumer: statusPushed - pushed, producerPull: end - statusPushed)
    }

    private func git(_ arguments: [String], in directory: String) throws(BenchmarkError) {
        try spawner.run(["git"] + arguments, in: directory, showErrors: false)
    }
}
