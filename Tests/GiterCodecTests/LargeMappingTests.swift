import Foundation
import GiterCodec
import Testing

/// Mappings of many keys cost time linear in their keys: reading (with the
/// duplicate-key check), building the tree, decoding and encoding. Before,
/// the YAML reader compared each key with every earlier one, so 80,000
/// keys took most of a minute; the time limit is a backstop against a
/// return of that, not a timing assertion.
@Suite("large mappings", .timeLimit(.minutes(1)))
struct LargeMappingTests {
    static let keyCount = 100_000

    /// `k0: 0` … one line per key, and the text of the last line's key.
    static func blockMapping(_ count: Int) -> String {
        var text = ""
        text.reserveCapacity(count * 16)
        for index in 0..<count { text += "k\(index): \(index)\n" }
        return text
    }

    /// `{k0: 0, k1: 1, …}` over lines of 100 entries.
    static func flowMapping(_ count: Int, duplicateLast: Bool = false) -> String {
        var text = "{"
        text.reserveCapacity(count * 12)
        for index in 0..<count {
            if index > 0 { text += index % 100 == 0 ? ",\n " : ", " }
            text += duplicateLast && index == count - 1 ? "k7: dup" : "k\(index): \(index)"
        }
        return text + "}\n"
    }

    @Test("a block mapping of 100,000 keys is read, and a repeated key at its end is rejected where it is")
    func blockMappingOfManyKeys() throws {
        let text = Self.blockMapping(Self.keyCount)
        let node = try YAMLReader().readDocument(text)
        #expect(node.mapping?.count == Self.keyCount)
        #expect(node["k99999"]?.number?.integer(as: Int.self) == 99_999)
        let decoded = try DocumentDecoder().decode([String: Int].self, fromYAML: text)
        #expect(decoded.count == Self.keyCount && decoded["k5"] == 5)

        let repeated = text + "k42: again\n"
        let error = try #require(throws: CodecError.self) { try YAMLReader().readDocument(repeated) }
        #expect(error.code == .duplicateKey)
        #expect(error.location?.line == Self.keyCount + 1)
        #expect(error.location?.column == 1)
        #expect(error.message.contains("'k42'") && error.message.contains("first defined on line 43"), "\(error)")
        let decodeError = try #require(throws: CodecError.self) {
            try DocumentDecoder().decode([String: Int].self, fromYAML: repeated)
        }
        #expect(decodeError.location == error.location)
    }

    @Test("a flow mapping of 100,000 keys is read, and a repeated key at its end is rejected where it is")
    func flowMappingOfManyKeys() throws {
        let node = try YAMLReader().readDocument(Self.flowMapping(Self.keyCount))
        #expect(node.mapping?.count == Self.keyCount)
        #expect(node["k12345"]?.number?.integer(as: Int.self) == 12_345)

        let repeated = Self.flowMapping(Self.keyCount, duplicateLast: true)
        let error = try #require(throws: CodecError.self) { try YAMLReader().readDocument(repeated) }
        #expect(error.code == .duplicateKey)
        // 100 entries a line: the last entry is the 100th of line 1,000,
        // after " " and 99 entries of ", "-separated text.
        let lastLine = try #require(repeated.split(separator: "\n").last)
        let column = lastLine.distance(from: lastLine.startIndex, to: try #require(lastLine.range(of: "k7: dup")).lowerBound) + 1
        #expect(error.location?.line == Self.keyCount / 100)
        #expect(error.location?.column == column)
        #expect(error.message.contains("'k7'") && error.message.contains("first defined on line 1"), "\(error)")
    }

    @Test("a JSON object of 100,000 keys is read, and a repeated key at its end is rejected where it is")
    func jsonObjectOfManyKeys() throws {
        var text = "{"
        for index in 0..<Self.keyCount { text += (index > 0 ? ",\n" : "\n") + "\"k\(index)\": \(index)" }
        let node = try JSONReader().read(text + "\n}")
        #expect(node.mapping?.count == Self.keyCount)
        let error = try #require(throws: CodecError.self) { try JSONReader().read(text + ",\n\"k3\": 0\n}") }
        #expect(error.code == .duplicateKey)
        #expect(error.location?.line == Self.keyCount + 2 && error.location?.column == 1)
        #expect(error.message.contains("first at line 5, column 1"), "\(error)")
    }

    @Test("keys that are equal Swift strings but different bytes are duplicates in a large mapping too")
    func canonicallyEquivalentKeysInALargeMapping() throws {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301).
        let text = Self.blockMapping(40) + "caf\u{E9}: 1\n" + "cafe\u{301}: 2\n"
        let error = try #require(throws: CodecError.self) { try YAMLReader().readDocument(text) }
        #expect(error.code == .duplicateKey && error.location?.line == 42)
        let json = "{" + (0..<40).map { "\"k\($0)\": 0, " }.joined() + "\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}"
        let jsonError = try #require(throws: CodecError.self) { try JSONReader().read(json) }
        #expect(jsonError.code == .duplicateKey)
    }

    @Test("a tree of 100,000 keys decodes, and a mapping of as many nested containers encodes, in linear time")
    func treeOfManyKeys() throws {
        let node = try YAMLReader().readDocument(Self.blockMapping(Self.keyCount))
        let decoded = try DocumentDecoder().decode([String: Int].self, from: node)
        #expect(decoded.count == Self.keyCount && decoded["k77777"] == 77_777)
        let lookedUp = try DocumentDecoder().decode(ReverseLookup.self, from: node)
        #expect(lookedUp.values.count == Self.keyCount && lookedUp.values[99_999] == 99_999)
        let encoded = try DocumentEncoder().encodeYAML(NestedWriter(count: Self.keyCount))
        let reread = try DocumentDecoder().decode([String: [Int]].self, fromYAML: encoded)
        #expect(reread.count == Self.keyCount && reread["k99999"] == [99_999])
    }

    /// Reads `k0`… through a keyed container in reverse order, so no hint
    /// helps: every lookup goes through the mapping's index.
    struct ReverseLookup: Decodable {
        var values: [Int]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: LargeKey.self)
            let count = container.allKeys.count
            var values = [Int](repeating: 0, count: count)
            for index in (0..<count).reversed() {
                values[index] = try container.decode(Int.self, forKey: LargeKey(stringValue: "k\(index)"))
            }
            self.values = values
        }
    }

    /// Writes `k0: [0]`… each through a nested container, which the
    /// encoder keeps pending until the mapping is finished.
    struct NestedWriter: Encodable {
        var count: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: LargeKey.self)
            for index in 0..<count {
                var nested = container.nestedUnkeyedContainer(forKey: LargeKey(stringValue: "k\(index)"))
                try nested.encode(index)
            }
        }
    }

    struct LargeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension LargeMappingTests {
    @Test("a key equal to another through a singleton decomposition (KELVIN SIGN, K) is a duplicate in a large mapping")
    func singletonDecompositionInALargeMapping() throws {
        // U+212A KELVIN SIGN is canonically equivalent to the ASCII letter K:
        // the index must hash the two alike, not by their bytes.
        #expect("\u{212A}" == "K")
        let text = Self.blockMapping(1_000) + "K: 1\n" + "\u{212A}: 2\n"
        let error = try #require(throws: CodecError.self) { try YAMLReader().readDocument(text) }
        #expect(error.code == .duplicateKey && error.location?.line == 1_002)
        let json = "{" + (0..<1_000).map { "\"k\($0)\": 0, " }.joined() + "\"\u{212A}\": 1, \"K\": 2}"
        let jsonError = try #require(throws: CodecError.self) { try JSONReader().read(json) }
        #expect(jsonError.code == .duplicateKey)
    }

    @Test("keys indexed when the index is built, as it grows and at its end are found again as duplicates")
    func keysAreFoundAfterGrowth() throws {
        // Probing and growth: each of a sample of earlier keys (0 was
        // indexed when the index was built, 17 was the first key looked
        // up, the others after the table doubled), repeated at the end, is
        // rejected as a duplicate of its first position.
        let count = Self.keyCount
        let text = Self.blockMapping(count)
        for repeated in [0, 17, 65_536, count - 1] {
            let error = try #require(throws: CodecError.self) { try YAMLReader().readDocument(text + "k\(repeated): x\n") }
            #expect(error.code == .duplicateKey)
            #expect(error.message.contains("first defined on line \(repeated + 1))"), "\(error)")
        }
        #expect(try YAMLReader().readDocument(text).mapping?.count == count)
    }
}
