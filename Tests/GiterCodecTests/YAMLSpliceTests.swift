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

/// The splice over the codec's tape: where the entry ends around comments,
/// line breaks and block scalars, and the read-back that refuses a result
/// which would not read as intended.
@Suite struct YAMLSpliceLayoutTests {
    let splice = YAMLSplice()

    @Test func aCommentOnTheValuesLastLineGoesWithItAndCommentLinesAfterItStay() throws {
        let text = "spec: 1\nstatus:\n  phase: Running  # the runner's\n# after status\n\n# and more\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: ["phase": "Done"])
        #expect(result == "spec: 1\nstatus:\n  phase: Done\n# after status\n\n# and more\n")
        let removed = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: nil)
        #expect(removed == "spec: 1\n# after status\n\n# and more\n")
    }

    @Test func aCommentInsideTheValueGoesWithIt() throws {
        let text = "status:\n  # note\n  phase: Running\n  # last\nspec: 1\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: "done")
        #expect(result == "status: done\n  # last\nspec: 1\n")
    }

    @Test func crlfIsKeptWhenAddingAndRemoving() throws {
        let text = "spec:\r\n  a: 1\r\n"
        let added = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: ["ok": true])
        #expect(added == "spec:\r\n  a: 1\r\nstatus:\r\n  ok: true\r\n")
        #expect(try splice.replacingValue(ofTopLevelKey: "status", in: added, with: nil) == text)
        let noBreak = try splice.replacingValue(ofTopLevelKey: "status", in: "spec: 1\r\nother: 2", with: "x")
        #expect(noBreak == "spec: 1\r\nother: 2\r\nstatus: x\r\n")
    }

    @Test func aByteOrderMarkAndDocumentMarkersStay() throws {
        let text = "\u{FEFF}---\nspec: 1\nstatus: old\n...\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: "new")
        #expect(result == "\u{FEFF}---\nspec: 1\nstatus: new\n...\n")
    }

    @Test func aFlowStatusInABlockRootIsReplaced() throws {
        let text = "spec: {a: [1, 2]}\nstatus: {phase: Running, conditions: []}\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: ["phase": "Done"])
        #expect(result == "spec: {a: [1, 2]}\nstatus:\n  phase: Done\n")
    }

    @Test func refusesAFlowRootAndAnIndentedRoot() throws {
        for text in ["{spec: 1, status: 2}\n", "  spec: 1\n  status: 2\n", "{}\n", ""] {
            #expect(throws: CodecError.self, "\(text)") {
                try splice.replacingValue(ofTopLevelKey: "status", in: text, with: 1)
            }
        }
    }

    @Test func aKeptBlockScalarKeepsItsTrailingBlankLinesWhenAKeyIsAddedAfterIt() throws {
        // The blank lines after a keep-chomped scalar belong to its value, and so to its entry.
        let text = "spec: |+\n  text\n\n\n# end\n"
        let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: "x")
        #expect(result == "spec: |+\n  text\n\n\nstatus: x\n# end\n")
        let node = try YAMLReader().readDocument(result)
        #expect(node["spec"] == "text\n\n\n")
        #expect(node["status"] == "x")
    }

    @Test func aRemovalThatWouldChangeTheEntryBeforeItIsRefused() throws {
        // Removing status would give the blank lines after it to the kept scalar before it.
        let text = "spec: |+\n  text\nstatus: x\n\n\nother: 1\n"
        let error = #expect(throws: CodecError.self) {
            try splice.replacingValue(ofTopLevelKey: "status", in: text, with: nil)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("would not give the intended document") == true)
        // Replacing it reads back as intended.
        let replaced = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: "done")
        #expect(replaced == "spec: |+\n  text\nstatus: done\n\n\nother: 1\n")
        #expect(try YAMLReader().readDocument(replaced)["spec"] == "text\n")
    }

    @Test func everyEntryButTheReplacedOneReadsAsBeforeOnEveryShape() throws {
        let texts = [
            "a: 'x'\nb: \"\\u00e9\\t\"\nc: |\n  line\n  # not a comment\nd:\n- {k: v}\n- [1, 2.5, true, null]\nstatus: 1\n",
            "status:\n  nested:\n    deep: [a, {b: c}]\nz: >-\n  folded\n  text\n",
        ]
        for text in texts {
            let before = try #require(try YAMLReader().readDocument(text).mapping)
            for value: Node? in [nil, "s", ["phase": "Done", "list": [1, 2]]] {
                let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: value)
                var expected = before
                expected["status"] = value
                #expect(try YAMLReader().readDocument(result) == Node(.mapping(expected)), "\(text) \(String(describing: value))")
            }
        }
    }

    /// Layouts where the lines around the entry matter: whatever the splice
    /// returns must read as intended; where it cannot, it refuses.
    @Test func aResultReadsAsIntendedOrIsRefusedAroundScalarsSequencesAndComments() throws {
        let texts = [
            "spec: |+\n  text\n\nstatus: x\n\n\n",
            "spec: |-\n  text\n\n# c\nstatus: >+\n  folded\n\nz: 1\n",
            "spec:\n- a\n- b\n# c\nstatus:\n- x\nz:\n- 1\n",
            "spec: a\n  continued\n\n  more\nstatus: 'q'   # c\n...\n",
            "\"status\": 1\nspec: [1,\n  2]\n",
            "spec: |+\n  kept\n\n\n",
            "spec: {a: 1}\r\nstatus: |\r\n  x\r\n\r\n# tail\r\n",
        ]
        var returned = 0
        for text in texts {
            let before = try #require(try YAMLReader().readDocument(text).mapping)
            for value: Node? in [nil, "s", "two\nlines\n", ["phase": "Done"], [1, "x"]] {
                var expected = before
                expected["status"] = value
                do {
                    let result = try splice.replacingValue(ofTopLevelKey: "status", in: text, with: value)
                    returned += 1
                    #expect(try YAMLReader().readDocument(result) == Node(.mapping(expected)), "\(text) \(String(describing: value))")
                } catch let error as CodecError {
                    #expect(error.code == .invalidValue, "\(text) \(String(describing: value)): \(error)")
                }
            }
        }
        #expect(returned >= texts.count * 4)
    }

    /// The entries' ranges, and a digest that sees values, not their layout.
    @Test func topLevelEntriesGiveRangesAndADigestOfTheValues() throws {
        func entries(_ text: String, values: Set<String> = []) throws -> YAMLTopLevelEntries {
            try Array(text.utf8).withUnsafeBufferPointer {
                try YAMLTopLevelEntries(of: $0, limits: .default, values: values, digestExcluding: "status")
            }
        }
        let text = "a: 1  # one\nstatus:\n  x: [1]\n\nb: 'q'"
        let layout = try entries(text, values: ["status"])
        #expect(layout.entries.map(\.key) == ["a", "status", "b"])
        #expect(layout.entries.map { Array(text.utf8)[$0.start..<$0.end] } == [
            Array("a: 1  # one".utf8)[...], Array("status:\n  x: [1]".utf8)[...], Array("b: 'q'".utf8)[...],
        ])
        #expect(layout.values["status"] == ["x": [1]])
        #expect(layout.values["status"]?.location?.line == 3)
        // The same values written differently, and any status: the same digest.
        func others(_ entries: YAMLTopLevelEntries) -> [Int] { entries.digests.filter { $0 != 0 } }
        #expect(layout.digests.count == 3 && layout.digests[1] == 0)
        #expect(try others(entries("a: 1\nb: q\n")) == others(layout))
        #expect(try others(entries("status: 2\na:   1\nb: \"q\"\n")) == others(layout))
        // A different value, kind, key or order: another digest.
        for other in ["a: 2\nb: q\n", "a: '1'\nb: q\n", "a: 1\nc: q\n", "b: q\na: 1\n", "a: 1\nb: [q]\n", "a: 1\n"] {
            #expect(try others(entries(other)) != others(layout), "\(other)")
        }
    }
}
