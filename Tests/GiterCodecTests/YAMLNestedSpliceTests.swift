import Foundation
import GiterCodec
import Testing

/// `YAMLSplice.replacingValue(ofKey:inTopLevelKey:in:with:)`: one key of
/// `metadata` changes, every other byte stays.
@Suite struct YAMLNestedSpliceTests {
    let splice = YAMLSplice()

    static let authored = """
        # The nightly sort; pinned later.
        apiVersion: giter.example/v1
        kind: Experiment
        metadata:   # who and what
          name: sort-1
          labels: {team: a, 'tier': "gold"}   # flow style kept
        # a comment in column 1, inside metadata
          annotations:
            note: |
              two
              lines
        spec:
          size: 1000  # pinned later
          workload: 'sort'

        """

    func set(_ key: String, _ value: Node?, in text: String) throws -> String {
        try splice.replacingValue(ofKey: key, inTopLevelKey: "metadata", in: text, with: value)
    }

    @Test func addsAKeyAfterTheLastEntryAndKeepsEveryOtherByte() throws {
        let result = try set("generation", 1, in: Self.authored)
        #expect(
            result == Self.authored.replacingOccurrences(of: "      lines\n", with: "      lines\n  generation: 1\n")
        )
        let uid = try set("uid", "0f8e", in: result)
        #expect(uid.contains("  generation: 1\n  uid: 0f8e\nspec:\n"))
        let node = try YAMLReader().readDocument(uid)
        #expect(node["metadata"]?["labels"] == ["team": "a", "tier": "gold"])
        #expect(node["metadata"]?["annotations"]?["note"] == "two\nlines\n")
    }

    @Test func replacesAKeyInPlaceAndRemovesOne() throws {
        let renamed = try set("labels", ["team": "b"], in: Self.authored)
        #expect(
            renamed
                == Self.authored.replacingOccurrences(
                    of: "  labels: {team: a, 'tier': \"gold\"}   # flow style kept\n",
                    with: "  labels:\n    team: b\n"
                )
        )
        let removed = try set("annotations", nil, in: Self.authored)
        #expect(
            removed
                == Self.authored.replacingOccurrences(
                    of: "  annotations:\n    note: |\n      two\n      lines\n",
                    with: ""
                )
        )
        #expect(try set("name", "sort-1", in: Self.authored) == Self.authored, "an unchanged value changes nothing")
        #expect(try set("absent", nil, in: Self.authored) == Self.authored)
    }

    /// Several keys in one pass: a change in the middle and one at the end,
    /// with a comment in column 1 between them that keeps its place.
    @Test func severalKeysInOnePassKeepTheLinesBetweenThem() throws {
        let text = "metadata:\n  name: a\n  namespace: old\n# column one\n  labels: {x: y}\nspec: 1\n"
        let result = try splice.replacingValues(
            [("namespace", "new"), ("generation", 3), ("uid", nil), ("name", "a")],
            inTopLevelKey: "metadata",
            in: Array(text.utf8)
        )
        #expect(
            String(decoding: result, as: UTF8.self)
                == "metadata:\n  name: a\n  namespace: new\n# column one\n  labels: {x: y}\n  generation: 3\nspec: 1\n"
        )
        let none = try splice.replacingValues([("name", "a")], inTopLevelKey: "metadata", in: Array(text.utf8))
        #expect(none == Array(text.utf8))
    }

    @Test func metadataLastWithAndWithoutAFinalLineBreak() throws {
        let text = "kind: A\nmetadata:\n  name: a # the name"
        #expect(try set("generation", 2, in: text) == "kind: A\nmetadata:\n  name: a # the name\n  generation: 2")
        #expect(try set("generation", 2, in: text + "\n") == text + "\n  generation: 2\n")
        #expect(try set("name", "b", in: text + "\n# end\n") == "kind: A\nmetadata:\n  name: b\n# end\n")
    }

    @Test func keepsCRLFLineBreaks() throws {
        let text = "kind: A\r\nmetadata:\r\n    name: a\r\n    # four spaces\r\nspec: {}\r\n"
        let result = try set("generation", 1, in: text)
        // The comment after the last entry stays where it is, after the new one (as for top-level entries).
        #expect(
            result == "kind: A\r\nmetadata:\r\n    name: a\r\n    generation: 1\r\n    # four spaces\r\nspec: {}\r\n"
        )
    }

    @Test func aSequenceAtTheKeysIndentationStays() throws {
        let text = "metadata:\n  finalizers:\n  - a\n  - b\n  name: x\nspec: 1\n"
        #expect(
            try set("uid", "u", in: text) == "metadata:\n  finalizers:\n  - a\n  - b\n  name: x\n  uid: u\nspec: 1\n"
        )
    }

    @Test func flowOrEmptyMetadataIsWrittenAnewAsABlock() throws {
        let flow = "# head\nkind: A\nmetadata: {name: a, labels: {x: y}}  # flow\nspec: [1, 2]\n"
        let result = try set("generation", 1, in: flow)
        #expect(
            result == "# head\nkind: A\nmetadata:\n  name: a\n  labels:\n    x: \"y\"\n  generation: 1\nspec: [1, 2]\n"
        )
        let multiline = "kind: A\nmetadata: {name: a,\n  labels: {}}\nspec: 1\n"
        let node = try YAMLReader().readDocument(try set("uid", "u", in: multiline))
        #expect(node["metadata"] == ["name": "a", "labels": .mapping(Node.Mapping()), "uid": "u"])
        #expect(try set("name", "a", in: "kind: A\nmetadata:\nspec: 1\n") == "kind: A\nmetadata:\n  name: a\nspec: 1\n")
    }

    @Test func missingMetadataIsAdded() throws {
        #expect(try set("name", "a", in: "kind: A\nspec: 1\n") == "kind: A\nspec: 1\nmetadata:\n  name: a\n")
        #expect(try set("name", nil, in: "kind: A\n") == "kind: A\n")
    }

    @Test(arguments: [
        "metadata: 3\n", "metadata:\n- a\n", "- a\n", "kind: A\n---\nkind: B\n", "{metadata: {name: a}}\n",
        "metadata:\n  name: &n a\n", "metadata:\n  name: a\n  name: b\n",
    ])
    func refusesWhatCannotBeSpliced(_ text: String) {
        #expect(throws: CodecError.self) { try set("generation", 1, in: text) }
    }

    /// Whatever the layout, the result reads as intended: the key changed
    /// and every other value as it was.
    @Test(arguments: [
        "metadata:\n  a: 1\n", "metadata:  \n\n  a: 1\n\n", "metadata: # c\n  # c2\n  a: 1 # c3\n# c4\nspec: 2\n",
        "metadata:\n      a: '1'\n      b: \"x\"\nz: 0", "\u{FEFF}metadata:\n a: [1,\n   2]\n b: >\n  folded\n",
        "---\nmetadata:\n  a: 1\n...\n", "metadata:\n  a:\n    b:\n      c: 1\n  generation: 7\n",
    ])
    func resultsReadAsIntended(_ text: String) throws {
        let before = try YAMLReader().readDocument(text)
        for value: Node? in [9, nil, ["x": ["y"]], "multi\nline"] {
            let result = try set("generation", value, in: text)
            let after = try YAMLReader().readDocument(result)
            var expected = before["metadata"]?.mapping ?? Node.Mapping()
            expected["generation"] = value
            #expect(after["metadata"] == .mapping(expected), "\(result)")
            for entry in before.mapping?.entries ?? [] where entry.key != "metadata" {
                #expect(after[entry.key] == entry.value)
            }
        }
    }
}
