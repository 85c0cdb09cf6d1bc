import Testing

@testable import Giter

/// The mirror's index of a kind (``ReadIndex``) reads back exactly what was
/// written, and nothing else: any other bytes are refused, so the store
/// rebuilds it.
@Suite("Read index format")
struct ReadIndexFormatTests {
    let commit = ObjectID(hex: String(repeating: "1f", count: 20))!
    let blob = ObjectID(hex: String(repeating: "2e", count: 20))!

    func sample() -> ReadIndex {
        let paths = [
            "resources/lab/Job/\(ResourceKey(namespace: "lab", kind: "Job", name: "a").bucket)/a.yaml",
            "archive/lab/Job/\(ResourceKey(namespace: "lab", kind: "Job", name: "b").bucket)/b.yaml",
            "resources/lab/job/00/c d.yaml",  // a kind folder that differs only in case: reported, so kept
            "resources/other",  // a link where a namespace folder should be
            "resources/lab/Other/00/x.yaml",  // another kind: not kept
            ".giter/policy.yaml",
        ]
        let modes: [FileMode] = [.regular, .regular, .regular, .symlink, .regular, .regular]
        var index = ReadIndex(
            kind: "Job", commit: commit,
            tree: zip(paths, modes).map { PathChange(path: $0, oldID: nil, oldMode: nil, newID: blob, newMode: $1) })
        index.learn(["app": "web", "tier": "a b,c=d%é"], at: paths[0], blob: blob)
        index.learn([:], at: paths[1], blob: blob)
        return index
    }

    @Test func roundTrips() throws {
        let index = sample()
        #expect(index.entries.count == 4)
        let decoded = try #require(ReadIndex.decode(index.encoded(), kind: "Job"))
        #expect(decoded == index)
        #expect(decoded.labels(at: index.entries.keys.sorted().first { $0.hasPrefix("resources/lab/Job") }!, blob: blob)
            == ["app": "web", "tier": "a b,c=d%é"])
        #expect(ReadIndex.decode(index.encoded(), kind: "Task") == nil)
    }

    @Test func refusesAnythingElse() {
        let bytes = sample().encoded()
        #expect(ReadIndex.decode([], kind: "Job") == nil)
        #expect(ReadIndex.decode(Array(bytes.dropLast()), kind: "Job") == nil)
        for position in stride(from: 0, to: bytes.count - 1, by: 7) {
            var changed = bytes
            changed[position] ^= 0x01
            #expect(ReadIndex.decode(changed, kind: "Job") == nil, "byte \(position) flipped")
        }
        #expect(ReadIndex.decode(bytes + Array(repeating: 0x0A, count: 1), kind: "Job") == nil)
    }

    @Test func labelsOfAnotherBlobAreNotKnown() {
        var index = sample()
        let path = index.entries.keys.sorted().first { $0.hasPrefix("resources/lab/Job") }!
        let other = ObjectID(hex: String(repeating: "3d", count: 20))!
        #expect(index.labels(at: path, blob: other) == nil)
        let learntForOtherBlob = index.learn(["a": "b"], at: path, blob: other)
        #expect(!learntForOtherBlob)
        // A change of the file forgets its labels; an unchanged one keeps them.
        index.apply([PathChange(path: path, oldID: blob, oldMode: .regular, newID: other, newMode: .regular)], to: commit)
        #expect(index.labels(at: path, blob: other) == nil)
        // Labels too long to keep are not kept: the file is read at each selection.
        let learntLong = index.learn(["k": String(repeating: "v", count: ReadIndex.maxLabelBytes)], at: path, blob: other)
        #expect(!learntLong)
    }

    @Test func escapesWhatIsNotPlain() {
        for text in ["", "a", "a b", "%", "x=y,z", "é", "\n\t", "resources/lab/Job/00/a.yaml"] {
            #expect(ReadIndex.unescape(ReadIndex.escape(text)) == text)
        }
        #expect(ReadIndex.unescape("%41") == nil, "a plain byte escaped is not what escape writes")
        #expect(ReadIndex.unescape("%4") == nil)
        #expect(ReadIndex.unescape("a b") == nil)
        #expect(ReadIndex.unescape("%ff") == nil, "lowercase hex is not what escape writes")
    }
}
