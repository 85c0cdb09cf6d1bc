import Foundation

extension TargetCheck {
    /// Per-byte cost of YAML encode may grow by at most this factor from the
    /// 2.6 KB to the 1 MB document for it to count as linear.
    static let linearityTolerance = 1.5
    /// Peak extra memory of a decode must stay under this multiple of the input.
    static let peakMemoryLimit = 3.0

    static func evaluate(_ rows: [ResultRow]) -> [TargetCheck] {
        func row(_ id: String, _ document: String) -> ResultRow? {
            rows.first { $0.operation == id && $0.document == document }
        }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.2f×", $0) } ?? "n/a" }

        var checks: [TargetCheck] = []
        for document in [Documents.smallName, Documents.largeName] {
            let yamlDecode = row("giter-yaml-decode", document)
            let jsonDecode = row("giter-json-decode", document)
            let yamlEncode = row("giter-yaml-encode", document)
            checks.append(
                TargetCheck(
                    target: "YAML decode ≥ 10× faster than Yams", document: document,
                    measured: "Yams/Giter = \(ratio(yamlDecode?.yamsOverThis))",
                    passed: yamlDecode?.yamsOverThis.map { $0 >= 10 }))
            checks.append(
                TargetCheck(
                    target: "YAML decode faster than Foundation JSONDecoder", document: document,
                    measured: "Foundation/Giter = \(ratio(yamlDecode?.foundationOverThis))",
                    passed: yamlDecode?.foundationOverThis.map { $0 > 1 }))
            checks.append(
                TargetCheck(
                    target: "JSON decode ≥ 2× faster than Foundation JSONDecoder", document: document,
                    measured: "Foundation/Giter = \(ratio(jsonDecode?.foundationOverThis))",
                    passed: jsonDecode?.foundationOverThis.map { $0 >= 2 }))
            checks.append(
                TargetCheck(
                    target: "YAML encode ≥ 20× faster than Yams", document: document,
                    measured: "Yams/Giter = \(ratio(yamlEncode?.yamsOverThis))",
                    passed: yamlEncode?.yamsOverThis.map { $0 >= 20 }))
        }

        let small = row("giter-yaml-encode", Documents.smallName)
        let large = row("giter-yaml-encode", Documents.largeName)
        if let small, let large, let smallTime = small.medianMicroseconds, let largeTime = large.medianMicroseconds {
            let smallPerByte = smallTime / Double(small.documentBytes)
            let largePerByte = largeTime / Double(large.documentBytes)
            let growth = largePerByte / smallPerByte
            checks.append(
                TargetCheck(
                    target: "YAML encode linear in size (µs/byte grows ≤ \(linearityTolerance)×)",
                    document: "\(Documents.smallName) → \(Documents.largeName)",
                    measured: String(
                        format: "%.2f → %.2f ns/byte (%.2f×)", smallPerByte * 1000, largePerByte * 1000, growth),
                    passed: growth <= linearityTolerance))
        } else {
            checks.append(
                TargetCheck(
                    target: "YAML encode linear in size (µs/byte grows ≤ \(linearityTolerance)×)",
                    document: "\(Documents.smallName) → \(Documents.largeName)", measured: "n/a", passed: nil))
        }

        for id in ["giter-yaml-decode", "giter-json-decode"] {
            let peak = row(id, Documents.largeName)?.peakMemory
            checks.append(
                TargetCheck(
                    target: "\(Operation.named(id)?.label ?? id): peak memory < \(Int(peakMemoryLimit))× the input",
                    document: Documents.largeName,
                    measured: peak.map {
                        String(format: "%.2f MB = %.2f× of %.2f MB", Double($0.extraBytes) / 1e6,
                            $0.multipleOfDocument, Double($0.documentBytes) / 1e6)
                    } ?? "n/a",
                    passed: peak.map { $0.multipleOfDocument < peakMemoryLimit }))
        }
        return checks
    }
}
