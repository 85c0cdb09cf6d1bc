import Crypto
import GiterCodec

/// The annotations a ``PipelineStage`` writes on each resource it produces,
/// naming the input it was made from: the provenance of a chain of
/// exchanges, readable by anyone who can read the output's exchange.
public enum Provenance {
    /// The input's exchange repository (its remote URL, without credentials).
    public static let repository = "giter.dev/source-repository"
    /// The input's exchange branch.
    public static let branch = "giter.dev/source-branch"
    /// A commit of the input's exchange that holds the input at
    /// ``generation``: the one the stage read when it first wrote the output
    /// for that generation.
    public static let commit = "giter.dev/source-commit"
    /// The input's key, `<namespace>/<Kind>/<name>`.
    public static let resource = "giter.dev/source-resource"
    /// The input's `metadata.generation`.
    public static let generation = "giter.dev/source-generation"
    /// `sha256:` and the SHA-256 of the input's spec, written as JSON with
    /// sorted keys and no spaces (``specDigest(of:)``).
    public static let specDigest = "giter.dev/source-spec-digest"

    /// Whether `url` holds a credential, `user:password@` (a user name alone,
    /// as in `ssh://git@host/…`, is none): such a URL is never written as
    /// provenance, nor followed when read from one.
    public static func holdsCredential(_ url: String) -> Bool {
        let parts = url.split(separator: "://", maxSplits: 1)
        guard parts.count == 2 else { return false }
        let authority = parts[1].prefix { $0 != "/" }
        return authority.contains("@") && (authority.split(separator: "@").first?.contains(":") ?? false)
    }

    /// The keys above, in the order they are documented.
    public static let keys = [repository, branch, commit, resource, generation, specDigest]

    /// `sha256:<hex>` of `spec` written as compact JSON with sorted keys: the
    /// same value for the same content whatever the field order of the file.
    public static func specDigest<Spec: Encodable>(of spec: Spec) throws -> String {
        let node = try DocumentEncoder().encodeNode(spec)
        let bytes = Array(try JSONWriter(options: .init(sortedKeys: true)).write(node).utf8)
        return "sha256:" + SHA256.hash(data: bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// A reconciler that consumes one kind and produces another: the building
/// block of a pipeline where one consumer's input becomes another
/// producer's spec ("experiments, then an analysis of their results").
///
/// For each input it reconciles, the stage derives the output resource
/// (``derive``), writes it through ``output`` with the input's
/// ``Provenance`` as annotations, and reflects the output's outcome back
/// into the input's status: `Ready=True` once the output is ready for its
/// current spec, `Stalled=True` when the output stalled, and otherwise a
/// requeue after ``pollInterval`` with `Ready=False` (`WaitingForOutput`).
///
/// Re-running after a crash creates nothing twice: the output's name comes
/// from the input (``derive`` must give the same name for the same input),
/// an output already holding the same spec and the same provenance
/// (resource, generation, spec digest) is not written again, and its
/// recorded source commit is kept. An output of the same name that another
/// input produced is never overwritten: that is a terminal error.
public struct PipelineStage<Input: ExchangedResource, Output: ExchangedResource>: Reconciler {
    public typealias Resource = Input

    /// Where the inputs come from, as the provenance names it.
    public struct Source: Sendable, Hashable {
        /// The input exchange's repository URL; never one with a credential in it.
        public var repository: String
        public var branch: String
        public init(repository: String, branch: String = "main") {
            self.repository = repository
            self.branch = branch
        }
    }

    let source: Source
    let input: any ResourceStore<Input>
    let output: Producer<Output>
    let derive: @Sendable (Input, ReconcileContext) async throws -> Output
    let reflect: @Sendable (Input, StoredResource<Output>, inout Input.Status) -> Void
    let pollInterval: Duration

    /// A stage.
    ///
    /// - Parameters:
    ///   - source: the input exchange, as the provenance names it.
    ///   - input: the store the stage's controller reads inputs from; its
    ///     revision is the provenance's commit.
    ///   - output: the producer of the output exchange (the same exchange
    ///     or another).
    ///   - derive: the output for an input; the same name for the same input.
    ///   - reflect: copies what the input's status should say of the output
    ///     (fields of its status, say) after the stage set the conditions;
    ///     by default nothing more.
    ///   - pollInterval: how long to wait before looking at the output again.
    public init(
        source: Source,
        input: any ResourceStore<Input>,
        output: Producer<Output>,
        pollInterval: Duration = .seconds(30),
        derive: @escaping @Sendable (Input, ReconcileContext) async throws -> Output,
        reflect: @escaping @Sendable (Input, StoredResource<Output>, inout Input.Status) -> Void = { _, _, _ in }
    ) throws {
        if Provenance.holdsCredential(source.repository) {
            throw TerminalError(
                reason: "CredentialInURL", message: "the source repository URL holds a credential; name it without one")
        }
        self.source = source
        self.input = input
        self.output = output
        self.derive = derive
        self.reflect = reflect
        self.pollInterval = pollInterval
    }

    public func reconcile(_ resource: Input, context: ReconcileContext) async throws -> ReconcileResult<Input.Status> {
        var desired = try await derive(resource, context)
        let key = ResourceKey(
            namespace: desired.metadata.effectiveNamespace, kind: desired.kind, name: desired.metadata.name)
        let digest = try Provenance.specDigest(of: resource.spec)
        let inputKey = "\(context.key.namespace)/\(context.key.kind)/\(context.key.name)"
        let existing = try await output.get(key)
        let existingAnnotations = existing?.resource.metadata.annotations ?? [:]
        if existing != nil, existingAnnotations[Provenance.resource] != inputKey {
            throw TerminalError(
                reason: "OutputTaken",
                message: "\(key) exists and was not produced from \(inputKey) (its source is "
                    + "\(existingAnnotations[Provenance.resource] ?? "not recorded")); the stage does not overwrite it")
        }
        var annotations = desired.metadata.annotations ?? [:]
        annotations[Provenance.repository] = source.repository
        annotations[Provenance.branch] = source.branch
        annotations[Provenance.resource] = inputKey
        annotations[Provenance.generation] = String(context.generation)
        annotations[Provenance.specDigest] = digest
        let sameInput = existingAnnotations[Provenance.generation] == String(context.generation)
            && existingAnnotations[Provenance.specDigest] == digest
        if sameInput, let commit = existingAnnotations[Provenance.commit] {
            annotations[Provenance.commit] = commit
        } else {
            annotations[Provenance.commit] = await input.revision()?.rawValue ?? ""
        }
        desired.metadata.annotations = annotations
        var current = existing
        if existing == nil || existing?.resource.spec != desired.spec || existingAnnotations != annotations {
            switch try await output.apply(desired) {
            case .refused(let message), .notApplied(let message):
                throw TerminalError(reason: "OutputRefused", message: "\(key) was refused: \(message)")
            default:
                current = try await output.get(key)
            }
        }
        var status = resource.status ?? Input.Status()
        status.observedGeneration = context.generation
        guard let current else {
            return .requeue(waiting(status, "\(key) was written and is not readable yet", context), after: pollInterval)
        }
        let outputStatus = current.resource.status
        let outputGeneration = current.resource.metadata.generation
        let observed = outputStatus?.observedGeneration != nil && outputStatus?.observedGeneration == outputGeneration
        if observed, let stalled = outputStatus?.condition(ofType: "Stalled"), stalled.status == .true {
            _ = status.conditions.setCondition(
                Condition(
                    type: "Ready", status: .false, observedGeneration: context.generation, reason: "OutputStalled",
                    message: "\(key): \(stalled.reason): \(stalled.message)"))
            _ = status.conditions.setCondition(
                Condition(
                    type: "Stalled", status: .true, observedGeneration: context.generation, reason: "OutputStalled",
                    message: "\(key): \(stalled.reason): \(stalled.message)"))
            reflect(resource, current, &status)
            return .done(status)
        }
        if observed, outputStatus?.isTrue("Ready") == true {
            _ = status.conditions.setCondition(
                Condition(
                    type: "Ready", status: .true, observedGeneration: context.generation, reason: "OutputReady",
                    message: "\(key) is ready"))
            _ = status.conditions.removeCondition(ofType: "Stalled")
            reflect(resource, current, &status)
            return .done(status)
        }
        reflect(resource, current, &status)
        return .requeue(waiting(status, "waiting for \(key) to be ready", context), after: pollInterval)
    }

    private func waiting(_ status: Input.Status, _ message: String, _ context: ReconcileContext) -> Input.Status {
        var status = status
        _ = status.conditions.setCondition(
            Condition(
                type: "Ready", status: .false, observedGeneration: context.generation, reason: "WaitingForOutput",
                message: message))
        return status
    }
}
