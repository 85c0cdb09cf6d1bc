import Foundation
import GiterCodec
import Testing

@Suite struct DocumentEncoderTests {
    let encoder = DocumentEncoder()
    let decoder = DocumentDecoder()

    @Test func keysFollowDeclarationOrderAndNilIsOmitted() throws {
        let node = try encoder.encodeNode(Widget.sample)
        #expect(node.mapping?.keys == ["apiVersion", "kind", "spec", "status"])
        #expect(
            node["spec"]?.mapping?.keys
                == [
                    "replicas", "image", "paused", "ratio", "ports", "labels", "rollout", "created", "payload",
                    "homepage",
                ]
        )
        #expect(node["spec"]?["ports"]?[2] == ["name": "metrics", "port": 9090])
        #expect(node["spec"]?["rollout"] == ["rolling": ["maxSurge": 1]])
        #expect(node["spec"]?["created"] == "2024-05-01T12:30:00.25Z")
        #expect(node["spec"]?["payload"] == "aGVsbG8=")
        #expect(node["spec"]?["homepage"] == "https://example.com/widgets?id=1")
        #expect(node["status"] == ["observedGeneration": 2, "ready": true])
    }

    @Test func encodeNilWritesNull() throws {
        struct Explicit: Encodable {
            var value: Int?
            enum CodingKeys: CodingKey { case value, other }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encodeNil(forKey: .value)
                try container.encodeIfPresent(value, forKey: .other)
            }
        }
        let node = try encoder.encodeNode(Explicit(value: nil))
        #expect(node.mapping?.keys == ["value"])
        #expect(node["value"]?.isNull == true)
        #expect(try encoder.encodeNode([1, nil, 3] as [Int?]) == [1, nil, 3])
        #expect(try encoder.encodeNode(Int?.none) == nil)
    }

    @Test func sortedKeysSortsEveryMappingByUTF8Bytes() throws {
        struct Inner: Encodable {
            var b = 1
            var a = 2
        }
        struct Outer: Encodable {
            var zeta = 1
            var é = 2
            var alpha = 3
            var Alpha = 4
            var inner = [Inner()]
        }
        var sorting = DocumentEncoder()
        sorting.sortedKeys = true
        let node = try sorting.encodeNode(Outer())
        #expect(node.mapping?.keys == ["Alpha", "alpha", "inner", "zeta", "é"])
        #expect(node["inner"]?[0]?.mapping?.keys == ["a", "b"])
        #expect(try encoder.encodeNode(Outer()).mapping?.keys == ["zeta", "é", "alpha", "Alpha", "inner"])
    }

    @Test func dictionaryKeysAreSortedForDeterministicOutput() throws {
        var labels: [String: Int] = [:]
        for index in 0..<50 { labels["label-\(index)"] = index }
        let node = try encoder.encodeNode(labels)
        let keys = try #require(node.mapping?.keys)
        #expect(keys == labels.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(try decoder.decode([String: Int].self, from: node) == labels)

        let numbered: [Int: String] = [100: "c", 2: "a", 10: "b", -1: "z"]
        let numberedNode = try encoder.encodeNode(numbered)
        #expect(numberedNode.mapping?.keys == ["-1", "2", "10", "100"])
        #expect(try decoder.decode([Int: String].self, from: numberedNode) == numbered)
    }

    @Test func dictionariesWithCodingKeyRepresentableKeysAreSortedMappings() throws {
        enum Color: String, Codable, CodingKeyRepresentable { case red, green, blue }
        let node = try encoder.encodeNode([Color.red: 1, .green: 2, .blue: 3])
        #expect(node.mapping?.keys == ["blue", "green", "red"])
    }

    @Test func largeKeyedContainersKeepOrderWhenKeysAreRewritten() throws {
        struct Many: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingTestKey.self)
                for index in 0..<40 { try container.encode(index, forKey: CodingTestKey("k\(index)")) }
                try container.encode("five", forKey: CodingTestKey("k5"))
                try container.encode("thirty", forKey: CodingTestKey("k30"))
            }
        }
        let mapping = try #require(try encoder.encodeNode(Many()).mapping)
        #expect(mapping.keys == (0..<40).map { "k\($0)" })
        #expect(mapping["k5"] == "five")
        #expect(mapping["k30"] == "thirty")
        #expect(mapping["k31"] == 31)
    }

    @Test func scalarsOfFoundationTypes() throws {
        #expect(try encoder.encodeNode(Date(timeIntervalSince1970: 1_714_566_600)) == "2024-05-01T12:30:00Z")
        #expect(try encoder.encodeNode(Data([0, 1, 2, 255])) == "AAEC/w==")
        #expect(try encoder.encodeNode(URL(string: "https://example.com/a?b=c")!) == "https://example.com/a?b=c")
        #expect(try encoder.encodeNode(Decimal(string: "12.345")!) == .number(Node.Number("12.345")!))
        let decimal = try decoder.decode(Decimal.self, from: encoder.encodeNode(Decimal(string: "-0.001")!))
        #expect(decimal == Decimal(string: "-0.001"))
    }

    @Test func datesOutsideRFC3339AreAnEncodingError() throws {
        struct Stamp: Encodable { var at: Date }
        let error = #expect(throws: EncodingError.self) {
            _ = try encoder.encodeNode(Stamp(at: Date(timeIntervalSince1970: 1e13)))
        }
        guard case .invalidValue(_, let context) = error else {
            Issue.record("expected invalidValue")
            return
        }
        #expect(codingPathString(context.codingPath) == "at")
    }

    @Test func everyIntegerWidthRoundTripsAndReportsOverflow() throws {
        try checkWidth(Int.self, above: "9223372036854775808", below: "-9223372036854775809")
        try checkWidth(Int8.self, above: "128", below: "-129")
        try checkWidth(Int16.self, above: "32768", below: "-32769")
        try checkWidth(Int32.self, above: "2147483648", below: "-2147483649")
        try checkWidth(Int64.self, above: "9223372036854775808", below: "-9223372036854775809")
        try checkWidth(
            Int128.self,
            above: "170141183460469231731687303715884105728",
            below: "-170141183460469231731687303715884105729"
        )
        try checkWidth(UInt.self, above: "18446744073709551616", below: "-1")
        try checkWidth(UInt8.self, above: "256", below: "-1")
        try checkWidth(UInt16.self, above: "65536", below: "-1")
        try checkWidth(UInt32.self, above: "4294967296", below: "-1")
        try checkWidth(UInt64.self, above: "18446744073709551616", below: "-1")
        try checkWidth(UInt128.self, above: "340282366920938463463374607431768211456", below: "-1")
    }

    private struct Boxed<Value: Codable>: Codable {
        var value: Value
        var list: [Value]
        var optional: Value?
    }

    private func checkWidth<I: FixedWidthInteger & Codable>(
        _ type: I.Type,
        above: String,
        below: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let boxed = Boxed(value: I.max, list: [I.min, 0, I.max], optional: I.min)
        let node = try encoder.encodeNode(boxed)
        #expect(node["value"] == .number(Node.Number("\(I.max)")!), sourceLocation: sourceLocation)
        #expect(node["optional"] == .number(Node.Number("\(I.min)")!), sourceLocation: sourceLocation)
        let back = try decoder.decode(Boxed<I>.self, from: node)
        #expect(
            back.value == I.max && back.list == [I.min, 0, I.max] && back.optional == I.min,
            sourceLocation: sourceLocation
        )
        let json = try encoder.encodeJSON(boxed)
        #expect(
            try decoder.decode(Boxed<I>.self, fromJSON: json).list == [I.min, 0, I.max],
            sourceLocation: sourceLocation
        )

        for (text, key) in [(above, "value"), (below, "list")] {
            var mapping = try #require(node.mapping)
            if key == "value" {
                mapping["value"] = .number(Node.Number(text)!)
            } else {
                mapping["list"] = [0, .number(Node.Number(text)!)]
            }
            let error = expectDecodingError(sourceLocation: sourceLocation) {
                _ = try decoder.decode(Boxed<I>.self, from: .mapping(mapping))
            }
            #expect(error?.caseName == "dataCorrupted", sourceLocation: sourceLocation)
            #expect(error?.codingPathText == (key == "value" ? "value" : "list[1]"), sourceLocation: sourceLocation)
            #expect(error?.debugText == "Number \(text) does not fit in \(I.self)", sourceLocation: sourceLocation)
        }
    }

    @Test func floatingPointValues() throws {
        #expect(try encoder.encodeNode(0.1) == .number(Node.Number("0.1")!))
        #expect(try encoder.encodeNode(Float(0.1)) == .number(Node.Number("0.1")!))
        #expect(try decoder.decode(Float.self, from: encoder.encodeNode(Float(0.1))) == Float(0.1))
        #expect(try encoder.encodeNode(1e300) == .number(Node.Number("1.0e+300")!))
        #expect(try encoder.encodeNode(Double.nan) == .number(Node.Number(".nan")!))
        #expect(try encoder.encodeNode(-Double.infinity) == .number(Node.Number("-.inf")!))
        #expect(try decoder.decode(Double.self, from: encoder.encodeNode(Double.infinity)) == .infinity)
        let error = #expect(throws: CodecError.self) { _ = try encoder.encodeJSON([Double.nan]) }
        #expect(error?.code == .invalidValue)
    }

    @Test func aSecondContainerRequestMergesIntoTheSameMapping() throws {
        struct Merged: Encodable {
            enum First: CodingKey { case a, b }
            enum Second: CodingKey { case c, a }
            enum Nested: CodingKey { case x, y }
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: First.self)
                try first.encode(1, forKey: .a)
                try first.encode(2, forKey: .b)
                var second = encoder.container(keyedBy: Second.self)
                try second.encode(3, forKey: .c)
                try second.encode(4, forKey: .a)  // replaces "a" in place
                var nested = first.nestedContainer(keyedBy: Nested.self, forKey: .b)
                try nested.encode(5, forKey: .x)
                var again = first.nestedContainer(keyedBy: Nested.self, forKey: .b)
                try again.encode(6, forKey: .y)
            }
        }
        let node = try encoder.encodeNode(Merged())
        #expect(node.mapping?.keys == ["a", "b", "c"])
        #expect(node == ["a": 4, "b": ["x": 5, "y": 6], "c": 3])
    }

    @Test func aValueThatEncodesNothingIsAnEmptyMapping() throws {
        struct Nothing: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        struct Holder: Encodable { var nothing = Nothing() }
        #expect(try encoder.encodeNode(Nothing()) == [:])
        #expect(try encoder.encodeNode(Holder()) == ["nothing": [:]])
    }

    @Test func topLevelScalarsAndSequences() throws {
        #expect(try encoder.encodeNode(5) == 5)
        #expect(try encoder.encodeNode("x") == "x")
        #expect(try encoder.encodeNode(true) == true)
        #expect(try encoder.encodeNode([[1], [2, 3]]) == [[1], [2, 3]])
        #expect(try encoder.encodeNode([String]()) == [])
    }

    @Test func unkeyedContainersNestAndCount() throws {
        struct Grid: Encodable {
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.unkeyedContainer()
                var row = outer.nestedUnkeyedContainer()
                try row.encode(1)
                try row.encode(2)
                #expect(row.count == 2)
                var cell = outer.nestedContainer(keyedBy: CodingTestKey.self)
                try cell.encode("c", forKey: CodingTestKey("k"))
                try outer.encodeNil()
                try outer.encode(Int8(-3))
                #expect(outer.count == 4)
                try CodingTestBase(base: 9).encode(to: outer.superEncoder())
                #expect(codingPathString(cell.codingPath) == "[1]")
            }
        }
        #expect(try encoder.encodeNode(Grid()) == [[1, 2], ["k": "c"], nil, -3, ["base": 9]])
    }

    @Test func codingPathIsVisibleInsideEncode() throws {
        struct Probe: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(codingPathString(encoder.codingPath))
            }
        }
        struct Root: Encodable { var items: [[String: Probe]] }
        let node = try encoder.encodeNode(Root(items: [["a": Probe()], ["b": Probe()]]))
        #expect(node == ["items": [["a": "items[0].a"], ["b": "items[1].b"]]])
    }

    @Test func userInfoReachesEncode() throws {
        let key = try #require(CodingUserInfoKey(rawValue: "suffix"))
        struct Suffixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                let suffix = encoder.userInfo[CodingUserInfoKey(rawValue: "suffix")!] as? String ?? ""
                var container = encoder.singleValueContainer()
                try container.encode("name" + suffix)
            }
        }
        let encoder = DocumentEncoder(userInfo: [key: "-x"])
        #expect(try encoder.encodeNode(Suffixed()) == "name-x")
    }

    @Test func writesYAMLAndJSONText() throws {
        let port = WidgetPort(name: "http", port: 80, transport: .tcp)
        #expect(try encoder.encodeYAML(port) == "name: http\nport: 80\ntransport: TCP\n")
        #expect(try encoder.encodeJSON(port) == #"{"name":"http","port":80,"transport":"TCP"}"#)
        #expect(try encoder.encodeJSONData(port) == Data(#"{"name":"http","port":80,"transport":"TCP"}"#.utf8))
        #expect(try encoder.encodeYAMLData(port) == Data("name: http\nport: 80\ntransport: TCP\n".utf8))
        var pretty = DocumentEncoder(sortedKeys: true)
        pretty.jsonOptions.pretty = true
        #expect(try pretty.encodeJSON(["b": 1, "a": 2]) == "{\n  \"a\": 2,\n  \"b\": 1\n}")
    }

    @Test func roundTripsThroughYAMLAndJSONText() throws {
        let yaml = try encoder.encodeYAML(Widget.sample)
        #expect(try decoder.decode(Widget.self, fromYAML: yaml) == Widget.sample)
        let json = try encoder.encodeJSON(Widget.sample)
        #expect(try decoder.decode(Widget.self, fromJSON: json) == Widget.sample)
        let data = try encoder.encodeYAMLData(Widget.sample)
        #expect(try decoder.decode(Widget.self, fromYAML: data) == Widget.sample)
    }
}
