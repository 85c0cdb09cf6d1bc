import GiterCodec
import Testing

/// Seeded random trees written and read back: by Giter's own readers, and by
/// PyYAML (YAML 1.1) for the YAML writer's output. A failure names the
/// seed, the tree and the text, so it can be replayed with `RandomTree(seed:)`.
@Suite("Round-trip properties")
struct RoundTripPropertyTests {
    static let treeCount: UInt64 = 500
    /// Failures reported in full; the rest are only counted.
    static let detailedFailures = 5

    static func trees(finite: Bool = false) -> [(seed: UInt64, tree: Node)] {
        (0..<treeCount).map { seed in
            var random = RandomTree(seed: seed)
            random.allowsNonFiniteNumbers = !finite
            return (seed, random.tree())
        }
    }

    /// Counts failures and records the first few in detail.
    struct FailureLog {
        var count = 0

        mutating func record(
            _ message: @autoclosure () -> String,
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) {
            count += 1
            if count <= RoundTripPropertyTests.detailedFailures {
                Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: Giter's readers

    @Test func yamlWriterThenYAMLReaderGivesTheTreeBack() {
        var failures = FailureLog()
        for (seed, tree) in Self.trees() {
            let options = YAMLWriter.Options(indentSequencesInMappings: seed % 3 == 1)
            let text = YAMLWriter(options: options).write(tree)
            do {
                let read = try YAMLReader().readDocument(text)
                if read != tree {
                    failures.record(
                        "seed \(seed): read back \(describeTree(read))\ntree: \(describeTree(tree))\nYAML:\n\(text)"
                    )
                }
            } catch {
                failures.record("seed \(seed): \(error)\ntree: \(describeTree(tree))\nYAML:\n\(text)")
            }
        }
        #expect(failures.count == 0, "\(failures.count) of \(Self.treeCount) trees did not survive YAML")
    }

    @Test func yamlStreamsGiveTheirDocumentsBack() {
        var failures = FailureLog()
        let trees = Self.trees().map(\.tree)
        for start in stride(from: 0, to: trees.count - 4, by: 4) {
            let documents = Array(trees[start..<(start + 1 + start % 4)])
            let text = YAMLWriter().write(documents: documents)
            do {
                let read = try YAMLReader().read(text)
                if read != documents {
                    failures.record("seeds \(start)…: read back \(read.map(describeTree))\nYAML:\n\(text)")
                }
            } catch {
                failures.record("seeds \(start)…: \(error)\nYAML:\n\(text)")
            }
        }
        #expect(failures.count == 0)
    }

    @Test func sortedKeysKeepEveryEntry() {
        var failures = FailureLog()
        for (seed, tree) in Self.trees().prefix(200) {
            let text = YAMLWriter(options: .sortedKeys).write(tree)
            do {
                let read = try YAMLReader().readDocument(text)
                if read != sortingKeys(tree) {
                    failures.record("seed \(seed): read back \(describeTree(read))\nYAML:\n\(text)")
                }
            } catch {
                failures.record("seed \(seed): \(error)\nYAML:\n\(text)")
            }
        }
        #expect(failures.count == 0)
    }

    /// Every hazard fragment alone, as a key and as a value.
    @Test func everyHazardFragmentRoundTrips() throws {
        var failures = FailureLog()
        for fragment in RandomTree.fragments {
            let tree: Node = [.string(fragment), ["k": .string(fragment)]]
            var keyed = Node.Mapping()
            keyed[fragment] = .string(fragment)
            for node in [tree, .mapping(keyed), .string(fragment)] {
                let text = YAMLWriter().write(node)
                do {
                    let read = try YAMLReader().readDocument(text)
                    if read != node {
                        failures.record("\(fragment.debugDescription): read back \(describeTree(read))\nYAML:\n\(text)")
                    }
                } catch {
                    failures.record("\(fragment.debugDescription): \(error)\nYAML:\n\(text)")
                }
            }
        }
        #expect(failures.count == 0)
    }

    @Test func jsonWriterThenJSONReaderGivesTheTreeBack() throws {
        var failures = FailureLog()
        for (seed, tree) in Self.trees(finite: true) {
            let writer = JSONWriter(options: seed % 2 == 0 ? .compact : .pretty)
            let text: String
            do {
                text = try writer.write(tree)
            } catch {
                failures.record("seed \(seed): JSONWriter threw \(error)\ntree: \(describeTree(tree))")
                continue
            }
            do {
                let read = try JSONReader().read(text)
                if read != tree {
                    failures.record(
                        "seed \(seed): read back \(describeTree(read))\ntree: \(describeTree(tree))\nJSON:\n\(text)"
                    )
                }
            } catch {
                failures.record("seed \(seed): \(error)\ntree: \(describeTree(tree))\nJSON:\n\(text)")
            }
        }
        #expect(failures.count == 0, "\(failures.count) of \(Self.treeCount) trees did not survive JSON")
    }

    // MARK: PyYAML

    /// Reads NUL-separated YAML streams with `yaml.safe_load_all` and prints,
    /// per stream, `LENGTH\n` and a typed canonical form (see ``canonical(_:into:)``).
    static let pyYAMLScript = #"""
        import struct, sys, yaml

        def canon(value, out):
            if value is None:
                out += b'n'
            elif value is True:
                out += b't'
            elif value is False:
                out += b'f'
            elif isinstance(value, int):
                out += b'i%d' % value
            elif isinstance(value, float):
                out += b'dnan' if value != value else b'd' + struct.pack('>d', value).hex().encode()
            elif isinstance(value, str):
                data = value.encode('utf-8', 'surrogatepass')
                out += b's%d:' % len(data) + data
            elif isinstance(value, list):
                out += b'['
                for item in value:
                    canon(item, out)
                out += b']'
            elif isinstance(value, dict):
                out += b'{'
                for key, item in value.items():
                    canon(key, out)
                    canon(item, out)
                out += b'}'
            else:
                out += b'?' + repr(value).encode()

        with open(sys.argv[1], 'rb') as source:
            streams = source.read().split(b'\0')
        with open(sys.argv[2], 'wb') as sink:
            for stream in streams:
                out = bytearray()
                try:
                    for document in yaml.safe_load_all(stream.decode('utf-8')):
                        out += b'D'
                        canon(document, out)
                except Exception as error:
                    out = bytearray(b'E' + ('%s: %s' % (type(error).__name__, error)).encode('utf-8', 'replace'))
                sink.write(b'%d\n' % len(out))
                sink.write(out)
                sink.write(b'\n')
        """#

    /// What the script prints for `node`: numbers the tree holds as integers
    /// must be Python ints, the others floats with the same bits.
    static func canonical(_ node: Node, into output: inout [UInt8]) {
        switch node.content {
        case .null:
            output.append(UInt8(ascii: "n"))
        case .bool(let value):
            output.append(UInt8(ascii: value ? "t" : "f"))
        case .number(let number):
            if number.isInteger {
                output.append(contentsOf: ("i" + (number.jsonText ?? number.text)).utf8)
            } else if number.doubleValue.isNaN {
                output.append(contentsOf: "dnan".utf8)
            } else {
                let bits = String(number.doubleValue.bitPattern, radix: 16)
                output.append(contentsOf: ("d" + String(repeating: "0", count: 16 - bits.count) + bits).utf8)
            }
        case .string(let string):
            output.append(contentsOf: "s\(string.utf8.count):".utf8)
            output.append(contentsOf: string.utf8)
        case .sequence(let items):
            output.append(UInt8(ascii: "["))
            for item in items { canonical(item, into: &output) }
            output.append(UInt8(ascii: "]"))
        case .mapping(let mapping):
            output.append(UInt8(ascii: "{"))
            for entry in mapping.entries {
                canonical(.string(entry.key), into: &output)
                canonical(entry.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    @Test(Python.requiresPyYAML)
    func pyYAMLReadsTheSameTrees() throws {
        // One batch: every random tree, some multi-document streams, and
        // every hazard fragment as a key and as a value.
        var streams: [(label: String, documents: [Node])] = Self.trees().map { ("seed \($0.seed)", [$0.tree]) }
        let trees = streams.map { $0.documents[0] }
        for start in stride(from: 0, to: 100, by: 3) {
            streams.append(("stream of seeds \(start)…\(start + 2)", Array(trees[start..<(start + 3)])))
        }
        for fragment in RandomTree.fragments {
            var keyed = Node.Mapping()
            keyed[fragment] = .string(fragment)
            streams.append(("fragment \(fragment.debugDescription)", [.mapping(keyed), [.string(fragment)]]))
            streams.append(("fragment \(fragment.debugDescription) as a document", [.string(fragment)]))
        }

        var input: [UInt8] = []
        var texts: [String] = []
        for (index, stream) in streams.enumerated() {
            if index > 0 { input.append(0) }
            let text = YAMLWriter(options: .init(indentSequencesInMappings: index % 3 == 1))
                .write(documents: stream.documents)
            texts.append(text)
            input.append(contentsOf: text.utf8)
        }

        let result = try Python.run(script: Self.pyYAMLScript, input: input)
        try #require(result.status == 0, "python3 failed: \(result.errorOutput)")
        let outputs = try Self.splitResults(result.output)
        try #require(
            outputs.count == streams.count,
            "PyYAML returned \(outputs.count) results for \(streams.count) streams"
        )

        var failures = FailureLog()
        for (index, stream) in streams.enumerated() {
            var expected: [UInt8] = []
            for document in stream.documents {
                expected.append(UInt8(ascii: "D"))
                Self.canonical(document, into: &expected)
            }
            if !outputs[index].elementsEqual(expected) {
                failures.record(
                    """
                    \(stream.label): PyYAML read \(String(decoding: outputs[index], as: UTF8.self).debugDescription)
                    expected \(String(decoding: expected, as: UTF8.self).debugDescription)
                    trees: \(stream.documents.map(describeTree))
                    YAML:
                    \(texts[index])
                    """
                )
            }
        }
        #expect(failures.count == 0, "PyYAML read \(failures.count) of \(streams.count) streams differently")
    }

    /// Splits the script's `LENGTH\nBYTES\n` records.
    static func splitResults(_ output: [UInt8]) throws -> [ArraySlice<UInt8>] {
        var results: [ArraySlice<UInt8>] = []
        var index = 0
        while index < output.count {
            let newline = try #require(output[index...].firstIndex(of: UInt8(ascii: "\n")))
            let length = try #require(Int(String(decoding: output[index..<newline], as: UTF8.self)))
            let end = newline + 1 + length
            try #require(end < output.count)
            results.append(output[(newline + 1)..<end])
            index = end + 1
        }
        return results
    }
}

/// The tree with every mapping's keys in UTF-8 byte order.
func sortingKeys(_ node: Node) -> Node {
    switch node.content {
    case .sequence(let items):
        return .sequence(items.map(sortingKeys))
    case .mapping(let mapping):
        let entries = mapping.entries
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { Node.Mapping.Entry(key: $0.key, value: sortingKeys($0.value)) }
        return .mapping(Node.Mapping(entries))
    default:
        return node
    }
}
