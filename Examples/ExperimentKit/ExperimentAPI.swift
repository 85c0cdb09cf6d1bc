public import Giter

/// An experiment: a built-in workload the producer wants run, and what the
/// consumer that ran it reports.
///
/// ```yaml
/// apiVersion: giter.example/v1
/// kind: Experiment
/// metadata:
///   name: sieve-7
///   labels:
///     giter.example/batch: b1a2
/// spec:
///   workload: primeSieve
///   size: 2000000
///   repetitions: 3
///   seed: 7
/// ```
public typealias Experiment = CustomResource<ExperimentSpec, ExperimentStatus>

/// The API group, version and kind of ``Experiment`` resources, and the
/// labels the example uses.
public enum ExperimentAPI {
    /// The API group.
    public static let group = "giter.example"
    /// `giter.example/v1`.
    public static let apiVersion = "\(group)/v1"
    /// `Experiment`.
    public static let kind = "Experiment"
    /// The type stores, controllers and producers are made for.
    public static let resourceType = ResourceType(apiVersion: apiVersion, kind: kind)
    /// The label that groups the experiments one producer run published.
    public static let batchLabel = "\(group)/batch"
    /// The label that names the workload, for `giter get -l`.
    public static let workloadLabel = "\(group)/workload"

    /// A new experiment in `namespace`, labelled with its batch and workload.
    public static func experiment(
        name: String,
        namespace: String = ObjectMeta.defaultNamespace,
        batch: String? = nil,
        spec: ExperimentSpec
    ) -> Experiment {
        var labels = [workloadLabel: spec.workload.rawValue]
        if let batch { labels[batchLabel] = batch }
        return Experiment(
            apiVersion: apiVersion,
            kind: kind,
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            spec: spec
        )
    }

    /// A batch of `count` experiments cycling through the workloads, with
    /// sizes scaled by `scale` (1 = a quarter to half a second per
    /// repetition on one core, in a release build).
    ///
    /// Names are `<workload>-<batch>-<index>`; each experiment gets its own seed.
    public static func batch(
        _ batch: String,
        count: Int,
        scale: Double = 1,
        repetitions: Int = 3,
        namespace: String = ObjectMeta.defaultNamespace
    ) -> [Experiment] {
        let workloads = Workload.allCases
        return (0..<max(count, 0)).map { index in
            let workload = workloads[index % workloads.count]
            let size = Int((Double(baseSize(of: workload)) * scale).rounded())
            let clamped = min(max(size, workload.sizeRange.lowerBound), workload.sizeRange.upperBound)
            let spec = ExperimentSpec(
                workload: workload,
                size: clamped,
                repetitions: repetitions,
                seed: UInt64(index + 1)
            )
            let name = "\(workload.shortName)-\(batch)-\(String(index + 1).leftPadded(to: 2))"
            return experiment(name: name, namespace: namespace, batch: batch, spec: spec)
        }
    }

    /// A short random batch name (4 hexadecimal digits).
    public static func newBatchName() -> String {
        String(UInt16.random(in: 0x1000...0xffff), radix: 16)
    }

    /// The size of a workload at scale 1.
    static func baseSize(of workload: Workload) -> Int {
        switch workload {
        case .sha256Chain: 300_000
        case .primeSieve: 10_000_000
        case .sortGeneratedData: 1_500_000
        }
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
