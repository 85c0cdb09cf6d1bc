import ArgumentParser
import Giter

/// `giter apply -f FILE|DIR|-`: publishes specs.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create resources or update their specs.",
        discussion: """
            Reads every resource of the inputs (YAML streams with documents \
            separated by '---', or JSON: one document, or one per line as JSON \
            Lines; a 'kind: List' document stands \
            for its items) and publishes them as the producer: a resource that \
            does not exist is created at generation 1; one whose spec changed \
            gets the next generation; one whose spec, labels and annotations \
            are all unchanged makes no commit. A resource's own status and \
            generation are ignored; its namespace is metadata.namespace, else \
            the one given with -n, else 'default'.

            A YAML document is stored as its author wrote it: comments, key \
            order and quoting are kept, the fields Giter maintains \
            (metadata.namespace, generation, uid, creationTimestamp) are \
            added to its metadata, and the consumer's status is kept. A JSON \
            document, a 'kind: List' item or a document whose top level is a \
            flow mapping ({apiVersion: ...}) is stored as block YAML. A \
            change of comments or layout alone changes nothing.

            Prints one line per resource, in input order: KIND/NAME created, \
            configured or unchanged. Resources of one API version and kind are \
            written in one commit.

            All inputs are read and checked before anything is written: a \
            syntax error, a missing field or an invalid name is reported as \
            FILE:LINE:COLUMN: message and nothing is applied. Then each \
            resource is checked against the exchange's contract in force at \
            the branch's tip: the CustomResourceDefinition of its kind in \
            .giter/crds/ (its defaults applied first; an invalid spec is \
            reported as FILE:LINE:COLUMN: spec.field: message) and, when a \
            policy is in force, the namespaces and kinds of the writer's \
            producer parties.

            Exit status: 0 when every resource was applied, 1 when an input \
            could not be read or a write failed, 64 for a usage error.

            Examples:
              giter apply -f experiment.yaml
              giter apply -f experiments/ -R -n lab
              giter get Experiment sort-1 -o yaml | giter apply -f -
              giter apply -f a.yaml -f b.json --remote ssh://git@git.example.com/lab/exchange.git
            """
    )

    @OptionGroup var exchange: ExchangeOptions

    @Option(
        name: [.customShort("f"), .long],
        help: ArgumentHelp(
            "A file, a folder of .yaml/.yml/.json files, or - for standard input; repeatable.",
            valueName: "file"
        )
    )
    var filename: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Read folders given with -f with their subfolders.")
    var recursive = false

    func validate() throws {
        guard !filename.isEmpty else {
            throw ValidationError("give the resources to apply with -f FILE, -f DIR or -f -")
        }
    }

    func run() async throws {
        try await ErrorReporting.run {
            var reader = ManifestReader(
                namespace: exchange.effectiveNamespace,
                namespaceGiven: exchange.namespace != nil,
                recursive: recursive
            )
            for input in filename { reader.read(input) }
            guard reader.problems.isEmpty else {
                for problem in reader.problems { StandardError.write("error: \(ErrorReporting.oneLine(problem))\n") }
                throw ExitCode.failure
            }
            guard !reader.manifests.isEmpty else { throw ToolError("the inputs hold no resources; nothing applied") }
            let opened = try await Exchange.open(exchange)
            let manifests = try await checked(reader.manifests, through: opened)
            let outcomes = try await apply(manifests, through: opened)
            var failed = false
            for (manifest, outcome) in zip(manifests, outcomes) {
                let name = "\(manifest.resource.kind)/\(manifest.resource.metadata.name)"
                switch outcome {
                case .created: StandardOutput.write("\(name) created\n")
                case .configured: StandardOutput.write("\(name) configured\n")
                case .unchanged: StandardOutput.write("\(name) unchanged\n")
                default:
                    failed = true
                    StandardError.write(
                        "error: \(name) (\(manifest.origin)): \(ErrorReporting.oneLine(outcome.description))\n"
                    )
                }
            }
            if failed { throw ExitCode.failure }
        }
    }

    /// The manifests checked against the contract in force at the branch's
    /// tip, with their definitions' defaults; every problem of every
    /// manifest is reported, and nothing is applied, when there is one.
    private func checked(_ manifests: [Manifest], through exchange: Exchange) async throws -> [Manifest] {
        guard let tip = try await exchange.transport.fetch() else { return manifests }
        let check = try await ApplyCheck(reader: exchange.transport, tip: tip, email: exchange.identity.email)
        var result: [Manifest] = []
        var problems: [String] = []
        for manifest in manifests {
            switch check.check(manifest) {
            case .success(let checked): result.append(checked)
            case .failure(let found): problems += found.lines
            }
        }
        guard problems.isEmpty else {
            for problem in problems { StandardError.write("error: \(ErrorReporting.oneLine(problem))\n") }
            throw ExitCode.failure
        }
        return result
    }

    /// Applies the manifests with one store, and one commit, per API
    /// version and kind; returns the outcomes in input order.
    private func apply(_ manifests: [Manifest], through exchange: Exchange) async throws -> [WriteOutcome] {
        var order: [ResourceType] = []
        var groups: [ResourceType: [Int]] = [:]
        for (index, manifest) in manifests.enumerated() {
            let type = ResourceType(apiVersion: manifest.resource.apiVersion, kind: manifest.resource.kind)
            if groups[type] == nil { order.append(type) }
            groups[type, default: []].append(index)
        }
        var outcomes = [WriteOutcome](repeating: .unchanged, count: manifests.count)
        for type in order {
            let indices = groups[type] ?? []
            let store = exchange.store(kind: type.kind, apiVersion: type.apiVersion)
            // A YAML document is stored as written (comments, order, quoting), JSON and List items as block YAML.
            let writes = indices.map { (index: Int) -> ResourceWrite<DynamicResource> in
                let manifest = manifests[index]
                if let text = manifest.text { return .applyText(manifest.resource, text: text) }
                return .apply(manifest.resource)
            }
            let results = try await store.write(writes).outcomes
            for (index, outcome) in zip(indices, results) { outcomes[index] = outcome }
        }
        return outcomes
    }
}
