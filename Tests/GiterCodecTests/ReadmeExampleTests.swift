import GiterCodec
import Testing

/// The code sample of README.md ("The codec in a few lines"), kept
/// identical to it so that the README cannot drift from the API.
@Suite struct ReadmeExampleTests {
    struct Spec: Codable { var workload: String; var size: Int }

    @Test func theCodecInAFewLines() throws {
        let text = """
            workload: sha256-chain   # a safe computation
            size: 1000
            """
        let spec = try DocumentDecoder().decode(Spec.self, fromYAML: text)
        let yaml = try DocumentEncoder().encodeYAML(spec)  // "workload: sha256-chain\nsize: 1000\n"

        // A consumer writes status without touching a byte of the producer's spec:
        let updated = try YAMLSplice().replacingValue(
            ofTopLevelKey: "status", in: text, with: ["phase": "Done"])

        #expect(spec.workload == "sha256-chain" && spec.size == 1000)
        #expect(yaml == "workload: sha256-chain\nsize: 1000\n")
        #expect(updated == text + "\nstatus:\n  phase: Done\n")
    }

    @Test func theSpliceExampleInTheDocComment() throws {
        let text = "spec:\n  size: 3  # keep this\nstatus:\n  phase: Pending\n"
        let updated = try YAMLSplice().replacingValue(
            ofTopLevelKey: "status", in: text, with: ["phase": "Done"])
        #expect(updated == "spec:\n  size: 3  # keep this\nstatus:\n  phase: Done\n")
    }
}
