import Foundation
import GiterCodec
import Testing

/// `DocumentEncoder` writes text from an encoding tape when `encode(to:)`
/// uses its containers in order, and through the node tree otherwise. Both
/// must give the text the tree gives: every case here compares
/// `encodeYAML` (and `encodeJSON`) with the writers run on `encodeNode`.
/// Which route was taken shows in how often `encode(to:)` ran: once on the
/// tape, twice when the tree took over.
@Suite struct EncodingTapeTests {
    let encoder = DocumentEncoder()

    /// Checks that the text of `value` equals the text of its tree, and
    /// returns how many times `counter` counted an `encode(to:)` for it.
    @discardableResult
    private func expectTreeText<T: Encodable>(
        _ value: T,
        counter: CallCounter? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> Int {
        let node = try encoder.encodeNode(value)
        let before = counter?.count ?? 0
        let yaml = try encoder.encodeYAML(value)
        let calls = (counter?.count ?? 0) - before
        #expect(yaml == YAMLWriter().write(node), sourceLocation: sourceLocation)
        #expect(try encoder.encodeYAMLData(value) == Data(yaml.utf8), sourceLocation: sourceLocation)
        var indented = encoder
        indented.yamlOptions.indentSequencesInMappings = true
        #expect(
            try indented.encodeYAML(value)
                == YAMLWriter(options: .init(indentSequencesInMappings: true)).write(node),
            sourceLocation: sourceLocation
        )
        // JSON has no form for infinities and NaN: both routes throw then.
        #expect((try? encoder.encodeJSON(value)) == (try? JSONWriter().write(node)), sourceLocation: sourceLocation)
        var pretty = encoder
        pretty.jsonOptions.pretty = true
        #expect(
            (try? pretty.encodeJSONData(value)) == (try? JSONWriter(options: .pretty).writeBytes(node)).map { Data($0) },
            sourceLocation: sourceLocation
        )
        return calls
    }

    @Test func resourcesInOrderAreWrittenFromTheTapeWithTheTreesText() throws {
        let counter = CallCounter()
        let value = Counted(counter: counter, value: Widget.sample)
        #expect(try expectTreeText(value, counter: counter) == 1)
        #expect(try expectTreeText([value, value], counter: counter) == 2)
        #expect(try expectTreeText(["b": value, "a": value], counter: counter) == 2)
    }

    @Test func randomTreesThroughContainersGiveTheTreesText() throws {
        for seed in UInt64(1)...300 {
            var random = RandomTree(seed: seed)
            let tree = random.tree()
            let counter = CallCounter()
            let value = ThroughContainers(node: tree, counter: counter)
            #expect(try encoder.encodeYAML(value) == YAMLWriter().write(tree), "seed \(seed)")
            #expect(counter.count == 1, "seed \(seed): the tape took the tree")
            #expect(try encoder.encodeYAML(tree) == YAMLWriter().write(tree), "seed \(seed)")
            let pretty = DocumentEncoder(jsonOptions: .pretty)
            #expect((try? pretty.encodeJSON(value)) == (try? JSONWriter(options: .pretty).write(tree)), "seed \(seed)")
        }
    }

    @Test func scalarsCollectionsAndLongTextAtEveryLevel() throws {
        try expectTreeText(5)
        try expectTreeText("no")
        try expectTreeText("line one\nline two\n")
        try expectTreeText(Optional<Int>.none)
        try expectTreeText([[1], [2, 3], []])
        try expectTreeText([String]())
        try expectTreeText([String: Int]())
        try expectTreeText([3: "c", -1: "a", 20: "b"])
        try expectTreeText([Date(timeIntervalSince1970: 0)])
        try expectTreeText(["x": Data([1, 2, 3])])
        try expectTreeText(["u": URL(string: "https://example.com/a?b=1")!])
        try expectTreeText(["d": Decimal(string: "1.50")!, "f": Decimal(string: "-2")!])
        try expectTreeText(["nan": Double.nan, "inf": -Double.infinity, "f": 0.1, "i": 1e16])
        // Text and keys past the reference threshold and past one- and
        // two-byte lengths.
        for length in [47, 48, 49, 127, 128, 200, 16_383, 16_384, 70_000] {
            let text = String(repeating: "ab: c ", count: length / 6 + 1)
            try expectTreeText([text: [text, text + "\n", "é" + text]])
        }
        let node: Node = ["n": .number(Node.Number("0x1F")!), "m": .number(Node.Number("1.50")!), "e": [:], "s": []]
        try expectTreeText(node)
        try expectTreeText(["wrapped": node])
    }

    @Test func dictionariesAreSortedOnTheTapeAsInTheTree() throws {
        // Keys short and long (referenced), values scalars and collections
        // of different sizes, so that sorting moves blocks of every length.
        var nested: [String: [String: [Int]]] = [:]
        var integers: [Int: [String]] = [:]
        for index in 0..<200 {
            let key = index.isMultiple(of: 3) ? String(repeating: "k\(index % 7)", count: 20) + "\(index)" : "key-\(index)"
            nested[key] = index.isMultiple(of: 5) ? [:] : ["z\(index)": Array(0..<(index % 4)), "a": [index]]
            integers[(index * 7919) % 1000 - 500] = Array(repeating: "v", count: index % 3)
        }
        try expectTreeText(nested)
        try expectTreeText(integers)
        try expectTreeText(["only": 1])
    }

    /// The tape keeps its records in chunks of 32 KiB, a record never
    /// spanning two. Values of many chunks give the tree's text: records of
    /// every size meeting a chunk's end, sorted dictionaries spanning
    /// chunks and nested in one another, empty collections at a chunk's
    /// end, and numbers too long to copy onto the tape.
    @Test func valuesOfManyChunksGiveTheTreesText() throws {
        var nested: [String: [String: [Int]]] = [:]
        for index in 0..<6000 {
            let key = String(repeating: "k", count: index % 60) + "\(index)"
            nested[key] = index.isMultiple(of: 4)
                ? [:] : ["z\(index)": Array(0..<(index % 5)), "a": [], "m\(index % 9)": [index]]
        }
        try expectTreeText(nested)
        try expectTreeText([nested, ["x": [:]], nested])
        var integers: [Int: [String: String]] = [:]
        for index in 0..<5000 {
            integers[(index * 7919) % 10_000 - 5000] = index.isMultiple(of: 3)
                ? [:] : ["b": "v\(index)", "a": String(repeating: "w", count: index % 70)]
        }
        try expectTreeText(integers)
        let long = try #require(Node.Number(String(repeating: "9", count: 80)))
        let items: [Node] = (0..<20_000).map {
            $0.isMultiple(of: 50) ? .number(long) : $0.isMultiple(of: 7) ? [] : .number(Node.Number($0))
        }
        try expectTreeText(Node.sequence(items))
        let counter = CallCounter()
        #expect(try expectTreeText(ThroughContainers(node: .sequence(items), counter: counter), counter: counter) == 1)
    }

    @Test func dictionariesOfOtherKeysAreSortedAsInTheTree() throws {
        enum Color: String, Codable, CodingKeyRepresentable { case red, green, blue }
        try expectTreeText([Color.red: 1, Color.green: 2, Color.blue: 3])
        try expectTreeText([1.5: "x", 0.5: "y"])
    }

    @Test func deepNestingIsWritten() throws {
        var node: Node = "bottom"
        for level in 0..<300 { node = level.isMultiple(of: 2) ? ["c": node, "v": .number(Node.Number(level))] : [node] }
        let counter = CallCounter()
        #expect(try encoder.encodeYAML(ThroughContainers(node: node, counter: counter)) == YAMLWriter().write(node))
        #expect(counter.count == 1)
    }

    @Test func emptyValuesAndSecondRequestsInOrderStayOnTheTape() throws {
        let counter = CallCounter()
        #expect(try expectTreeText(Counted(counter: counter, value: EncodesNothing()), counter: counter) == 1)
        #expect(try expectTreeText(Counted(counter: counter, value: ["a": EncodesNothing()]), counter: counter) == 1)
        #expect(try expectTreeText(Counted(counter: counter, value: SecondRequest()), counter: counter) == 1)
        #expect(try expectTreeText(Counted(counter: counter, value: NestedThenOuter()), counter: counter) == 1)
        #expect(try expectTreeText(Counted(counter: counter, value: EmptyNested()), counter: counter) == 1)
    }

    @Test func outOfOrderUseFallsBackToTheTreeWithTheSameText() throws {
        let cases: [any Encodable] = [
            RewritesKey(), RewritesKeyInLargeMapping(), NestedAskedTwice(), WritesNestedLate(),
            EscapedContainer(), ScalarThenContainer(), CatchesTheError(), SuperEncoders(), CountsAClosedSequence(),
            CodingTestChild.sample,
        ]
        for value in cases {
            let counter = CallCounter()
            #expect(try expectTreeText(Counted(counter: counter, value: value), counter: counter) == 2, "\(value)")
        }
        let rewritten = try encoder.encodeYAML(RewritesKey())
        #expect(rewritten == "a: 4\nb:\n  x: 5\n  \"y\": 6\nc: 3\n", "\(rewritten.debugDescription)")
    }

    @Test func errorsAndCodingPathsAreTheTrees() throws {
        struct Holder: Encodable { var items: [[String: Date]] }
        let value = Holder(items: [[:], ["when": Date(timeIntervalSince1970: -70_000_000_000)]])
        do {
            _ = try encoder.encodeYAML(value)
            Issue.record("a date before year 0000 was written")
        } catch let EncodingError.invalidValue(_, context) {
            #expect(codingPathString(context.codingPath) == "items[1].when")
        }
        #expect(throws: CodecError.self) { try encoder.encodeJSON(["n": [Double.nan]]) }
        struct Probe: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(codingPathString(encoder.codingPath))
            }
        }
        struct Root: Encodable { var items: [[String: Probe]] }
        #expect(try encoder.encodeYAML(Root(items: [["a": Probe()]])) == "items:\n- a: items[0].a\n")
    }

    @Test func sortedKeysGoThroughTheTree() throws {
        let sortedText = """
            first: x
            last:
            - 1.5
            nested:
              after: 7
              list:
              - 1
              - "n": null
              - two
              "on": true

            """
        let sortedByEncoder = try DocumentEncoder(sortedKeys: true).encodeYAML(NestedThenOuter())
        #expect(sortedByEncoder == sortedText, "\(sortedByEncoder.debugDescription)")
        let sortedByWriter = try DocumentEncoder(yamlOptions: .sortedKeys).encodeYAML(NestedThenOuter())
        #expect(sortedByWriter == sortedText, "\(sortedByWriter.debugDescription)")
    }
}

// MARK: - Values

/// Counts calls of `encode(to:)`.
final class CallCounter: @unchecked Sendable {
    // Used by one test at a time, on one thread.
    var count = 0
}

/// `value`, with each call of its `encode(to:)` counted.
struct Counted: Encodable {
    let counter: CallCounter
    let value: any Encodable

    func encode(to encoder: any Encoder) throws {
        counter.count += 1
        try value.encode(to: encoder)
    }
}

/// A node encoded through the encoder's containers rather than as a tree:
/// mappings through a keyed container, sequences through an unkeyed one,
/// scalars as nodes in single-value containers.
struct ThroughContainers: Encodable {
    let node: Node
    let counter: CallCounter?

    func encode(to encoder: any Encoder) throws {
        counter?.count += 1
        switch node.content {
        case .mapping(let mapping):
            var container = encoder.container(keyedBy: CodingTestKey.self)
            for entry in mapping.entries {
                try container.encode(ThroughContainers(node: entry.value, counter: nil), forKey: CodingTestKey(entry.key))
            }
        case .sequence(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(ThroughContainers(node: item, counter: nil)) }
        default:
            var container = encoder.singleValueContainer()
            try container.encode(node)
        }
    }
}

struct EncodesNothing: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

/// A subclass pattern: a second request for the keyed container adds to it.
struct SecondRequest: Encodable {
    func encode(to encoder: any Encoder) throws {
        var first = encoder.container(keyedBy: CodingTestKey.self)
        try first.encode(1, forKey: CodingTestKey("a"))
        var second = encoder.container(keyedBy: CodingTestKey.self)
        try second.encode(2, forKey: CodingTestKey("b"))
        try first.encode(3, forKey: CodingTestKey("c"))
    }
}

/// A nested container filled at once, then the outer container goes on.
struct NestedThenOuter: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: CodingTestKey.self)
        try outer.encode("x", forKey: CodingTestKey("first"))
        var nested = outer.nestedContainer(keyedBy: CodingTestKey.self, forKey: CodingTestKey("nested"))
        try nested.encode(true, forKey: CodingTestKey("on"))
        var list = nested.nestedUnkeyedContainer(forKey: CodingTestKey("list"))
        try list.encode(1)
        var cell = list.nestedContainer(keyedBy: CodingTestKey.self)
        try cell.encodeNil(forKey: CodingTestKey("n"))
        try list.encode("two")
        #expect(list.count == 3)
        try nested.encode(UInt8(7), forKey: CodingTestKey("after"))
        try outer.encode([1.5], forKey: CodingTestKey("last"))
    }
}

/// Nested containers that receive nothing are empty collections.
struct EmptyNested: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.unkeyedContainer()
        _ = outer.nestedContainer(keyedBy: CodingTestKey.self)
        _ = outer.nestedUnkeyedContainer()
        try outer.encode(EncodesNothing())
    }
}

struct RewritesKey: Encodable {
    enum First: CodingKey { case a, b }
    enum Second: CodingKey { case c, a }
    enum Nested: CodingKey { case x, y }
    func encode(to encoder: any Encoder) throws {
        var first = encoder.container(keyedBy: First.self)
        try first.encode(1, forKey: .a)
        var nested = first.nestedContainer(keyedBy: Nested.self, forKey: .b)
        try nested.encode(5, forKey: .x)
        try nested.encode(6, forKey: .y)
        var second = encoder.container(keyedBy: Second.self)
        try second.encode(3, forKey: .c)
        try second.encode(4, forKey: .a)  // replaces "a" in place
    }
}

struct RewritesKeyInLargeMapping: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingTestKey.self)
        for index in 0..<40 { try container.encode(index, forKey: CodingTestKey("k\(index)")) }
        try container.encode("thirty", forKey: CodingTestKey("k30"))
    }
}

struct NestedAskedTwice: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: CodingTestKey.self)
        var nested = outer.nestedContainer(keyedBy: CodingTestKey.self, forKey: CodingTestKey("b"))
        try nested.encode(5, forKey: CodingTestKey("x"))
        var again = outer.nestedContainer(keyedBy: CodingTestKey.self, forKey: CodingTestKey("b"))
        try again.encode(6, forKey: CodingTestKey("y"))
    }
}

/// Writes into a nested container after its parent went on.
struct WritesNestedLate: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: CodingTestKey.self)
        var nested = outer.nestedContainer(keyedBy: CodingTestKey.self, forKey: CodingTestKey("nested"))
        try outer.encode(1, forKey: CodingTestKey("after"))
        try nested.encode(2, forKey: CodingTestKey("late"))
    }
}

/// Keeps a container past the value it belongs to and writes into it later.
struct EscapedContainer: Encodable {
    final class Box: @unchecked Sendable {
        var container: KeyedEncodingContainer<CodingTestKey>?
    }
    struct Inner: Encodable {
        let box: Box
        func encode(to encoder: any Encoder) throws {
            box.container = encoder.container(keyedBy: CodingTestKey.self)
            try box.container?.encode(1, forKey: CodingTestKey("early"))
        }
    }
    func encode(to encoder: any Encoder) throws {
        let box = Box()
        var outer = encoder.container(keyedBy: CodingTestKey.self)
        try outer.encode(Inner(box: box), forKey: CodingTestKey("inner"))
        try box.container?.encode(2, forKey: CodingTestKey("late"))
        try outer.encode(3, forKey: CodingTestKey("end"))
    }
}

/// Writes a scalar, then asks for a container, which replaces it in the tree.
struct ScalarThenContainer: Encodable {
    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode("replaced")
        var container = encoder.container(keyedBy: CodingTestKey.self)
        try container.encode(1, forKey: CodingTestKey("a"))
    }
}

/// Swallows the error the tape throws: the tree must still be used.
struct CatchesTheError: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingTestKey.self)
        try container.encode(1, forKey: CodingTestKey("a"))
        try? container.encode(2, forKey: CodingTestKey("a"))
        try container.encode(3, forKey: CodingTestKey("b"))
    }
}

/// Reads the count of a nested sequence after its parent went on.
struct CountsAClosedSequence: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.unkeyedContainer()
        var nested = outer.nestedUnkeyedContainer()
        try nested.encode(1)
        try nested.encode(2)
        try outer.encode("after")
        try outer.encode(nested.count)
    }
}

struct SuperEncoders: Encodable {
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.unkeyedContainer()
        try outer.encode(1)
        try CodingTestBase(base: 9).encode(to: outer.superEncoder())
        var keyed = outer.nestedContainer(keyedBy: CodingTestKey.self)
        try CodingTestBase(base: 8).encode(to: keyed.superEncoder())
        try CodingTestBase(base: 7).encode(to: keyed.superEncoder(forKey: CodingTestKey("k")))
    }
}

extension CodingTestChild {
    static var sample: CodingTestChild {
        // Decoded, since the class has no memberwise initializer.
        try! DocumentDecoder().decode(CodingTestChild.self, fromYAML: "extra: x\nsuper:\n  base: 3\n")
    }
}
