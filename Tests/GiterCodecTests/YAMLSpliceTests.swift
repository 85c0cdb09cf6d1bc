import Foundation
import GiterCodec
import Testing

@Suite struct YAMLSpliceTests {
    let splice = YAMLSplice()

    let producerText = """
        # Written by the producer; keep my comments.
        apiVersion: giter.example/v1
        kind: Experiment
        metadata:
          name: sha-chain   # the name
          generation: 2
        spec:
          workload: 'sha256-chain'
          size: "1000"
          notes: |
            keep
              this
        status:
          phase: Pending
          conditions: []
        # trailing comment stays

        """

    @Test func replacesStatusAndLeavesEveryOtherByte() throws {
        let status: Node = ["observedGeneration": 2, "phase": "Done"]
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: producerText, with: status)
        let statusStart = try #require(producerText.range(of: "status:\n"))
        let trailer = try #require(producerText.range(of: "# trailing comment stays"))
        #expect(result.hasPrefix(String(producerText[..<statusStart.lowerBound])))
        #expect(result.hasSuffix(String(producerText[trailer.lowerBound...])))
        #expect(result.contains("status:\n  observedGeneration: 2\n  phase: Done\n# trailing"))
        let node = try YAMLReader().readDocument(result)
        #expect(node["status"] == status)
        #expect(node["spec"] == (try YAMLReader().readDocument(producerText))["spec"])
    }

    @Test func addsAnAbsentKeyAfterTheLastEntryAndRemovesOne() throws {
        let text = "spec:\n  a: 1 # one\n# end\n"
        let added = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: ["ok": true])
        #expect(added == "spec:\n  a: 1 # one\nstatus:\n  ok: true\n# end\n")
        let removed = try splice.replacingValue(ofTopLevelKey: "status", in: added, with: nil)
        #expect(removed == text)
        let noBreak = try splice.replacingValue(ofTopLevelKey: "status", in: "spec: 1", with: "x")
        #expect(noBreak == "spec: 1\nstatus: x\n")
    }

    @Test func replacesAValueOnTheKeyLineAndKeepsCRLF() throws {
        let text = "spec: {a: 1}\r\nstatus: {}   # empty\r\nother: 'q'\r\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: ["phase": "Running"])
        #expect(result == "spec: {a: 1}\r\nstatus:\r\n  phase: Running\r\nother: 'q'\r\n")
    }

    @Test func keepsABlockScalarWhoseLinesLookLikeComments() throws {
        let text = "status: |\n  # not a comment\nspec: 1\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: "new")
        #expect(result == "status: new\nspec: 1\n")
    }

    @Test func refusesDocumentsItCannotSpliceSafely() throws {
        #expect(throws: CodecError.self) { try splice.replacingValue(ofTopLevelKey: "status", in: "{a: 1}", with: 1) }
        #expect(throws: CodecError.self) { try splice.replacingValue(ofTopLevelKey: "status", in: "- a\n", with: 1) }
        #expect(throws: CodecError.self) {
            try splice.replacingValue(ofTopLevelKey: "status", in: "a: 1\n---\nb: 2\n", with: 1)
        }
        #expect(throws: CodecError.self) { try splice.replacingValue(ofTopLevelKey: "status", in: "a: [\n", with: 1) }
    }
}
