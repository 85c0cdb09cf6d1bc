import Foundation
import GiterCodec
import Testing

// MARK: - Fixtures shared with DocumentEncoderTests

enum WidgetTransport: String, Codable, Equatable {
    case tcp = "TCP"
    case udp = "UDP"
}

struct WidgetPort: Codable, Equatable {
    var name: String
    var port: UInt16
    var transport: WidgetTransport?
}

enum WidgetRollout: Codable, Equatable {
    case recreate
    case rolling(maxSurge: Int, maxUnavailable: Int?)
}

struct WidgetSpec: Codable, Equatable {
    var replicas: Int
    var image: String?
    var paused: Bool
    var ratio: Double
    var ports: [WidgetPort]
    var labels: [String: String]
    var rollout: WidgetRollout
    var created: Date
    var payload: Data
    var homepage: URL
}

struct WidgetStatus: Codable, Equatable {
    var observedGeneration: Int64?
    var ready: Bool
}

struct Widget: Codable, Equatable {
    var apiVersion: String
    var kind: String
    var spec: WidgetSpec
    var status: WidgetStatus?
}

extension Widget {
    static let sample = Widget(
        apiVersion: "example.com/v1",
        kind: "Widget",
        spec: WidgetSpec(
            replicas: 3,
            image: "nginx:1.27",
            paused: false,
            ratio: 0.75,
            ports: [
                WidgetPort(name: "http", port: 80, transport: .tcp),
                WidgetPort(name: "dns", port: 53, transport: .udp),
                WidgetPort(name: "metrics", port: 9090, transport: nil),
            ],
            labels: ["app": "web", "tier": "frontend"],
            rollout: .rolling(maxSurge: 1, maxUnavailable: nil),
            created: Date(timeIntervalSince1970: 1_714_566_600.25),
            payload: Data("hello".utf8),
            homepage: URL(string: "https://example.com/widgets?id=1")!
        ),
        status: WidgetStatus(observedGeneration: 2, ready: true)
    )
}

/// `spec.ports[2].port`: the coding path the way people write it.
func codingPathString(_ path: [any CodingKey]) -> String {
    var result = ""
    for key in path {
        if let index = key.intValue, key.stringValue == "Index \(index)" {
            result += "[\(index)]"
        } else {
            if !result.isEmpty { result += "." }
            result += key.stringValue
        }
    }
    return result
}

extension DecodingError {
    var caseName: String {
        switch self {
        case .typeMismatch: "typeMismatch"
        case .valueNotFound: "valueNotFound"
        case .keyNotFound: "keyNotFound"
        case .dataCorrupted: "dataCorrupted"
        @unknown default: "unknown"
        }
    }

    var errorContext: Context? {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            context
        @unknown default: nil
        }
    }

    var codingPathText: String { codingPathString(errorContext?.codingPath ?? []) }
    var debugText: String { errorContext?.debugDescription ?? "" }
}

/// The `DecodingError` thrown by `body`, recorded as an issue when there is none.
func expectDecodingError(
    sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> DecodingError? {
    #expect(throws: DecodingError.self, sourceLocation: sourceLocation) { try body() }
}

// MARK: - Tests

@Suite struct DocumentDecoderTests {
    let decoder = DocumentDecoder()

    @Test func decodesNestedValuesFromANodeTree() throws {
        let node: Node = [
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "spec": [
                "replicas": 3,
                "paused": false,
                "ratio": 0.75,
                "ports": [["name": "http", "port": 80, "transport": "TCP"], ["name": "dns", "port": 53]],
                "labels": ["app": "web"],
                "rollout": ["recreate": [:]],
                "created": "2024-05-01T14:30:00+02:00",
                "payload": "aGVsbG8=",
                "homepage": "https://example.com/",
            ],
        ]
        let widget = try decoder.decode(Widget.self, from: node)
        #expect(widget.spec.replicas == 3)
        #expect(widget.spec.image == nil)
        #expect(
            widget.spec.ports == [
                WidgetPort(name: "http", port: 80, transport: .tcp), WidgetPort(name: "dns", port: 53),
            ]
        )
        #expect(widget.spec.labels == ["app": "web"])
        #expect(widget.spec.rollout == .recreate)
        #expect(widget.spec.created == Date(timeIntervalSince1970: 1_714_566_600))
        #expect(widget.spec.payload == Data("hello".utf8))
        #expect(widget.spec.homepage.absoluteString == "https://example.com/")
        #expect(widget.status == nil)
    }

    @Test func roundTripsThroughTheNodeTree() throws {
        let node = try DocumentEncoder().encodeNode(Widget.sample)
        #expect(try decoder.decode(Widget.self, from: node) == Widget.sample)
    }

    @Test func optionalsAreNilWhenAbsentOrNullAndSetWhenPresent() throws {
        struct Holder: Decodable {
            var value: Int?
            var name: String?
        }
        let absent = try decoder.decode(Holder.self, from: [:])
        #expect(absent.value == nil && absent.name == nil)
        let null = try decoder.decode(Holder.self, from: ["value": nil, "name": nil])
        #expect(null.value == nil && null.name == nil)
        let present = try decoder.decode(Holder.self, from: ["value": 7, "name": "x"])
        #expect(present.value == 7 && present.name == "x")
        #expect(try decoder.decode(Int?.self, from: nil) == nil)
        #expect(try decoder.decode([Int?].self, from: [1, nil, 3]) == [1, nil, 3])
    }

    @Test func missingKeyIsKeyNotFoundWithThePathOfItsMapping() throws {
        let node: Node = ["spec": ["ports": [["name": "http"]]]]
        struct Spec: Decodable { var ports: [WidgetPort] }
        struct Root: Decodable { var spec: Spec }
        let error = try #require(expectDecodingError { _ = try decoder.decode(Root.self, from: node) })
        guard case .keyNotFound(let key, let context) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "port")
        #expect(codingPathString(context.codingPath) == "spec.ports[0]")
    }

    @Test func nullForANonOptionalIsValueNotFound() throws {
        let error = try #require(
            expectDecodingError { _ = try decoder.decode(WidgetPort.self, from: ["name": nil, "port": 1]) }
        )
        #expect(error.caseName == "valueNotFound")
        #expect(error.codingPathText == "name")
        #expect(error.debugText == "Expected String but found null")
    }

    @Test(arguments: [
        ("port", "80" as Node),
        ("port", true as Node),
        ("name", 80 as Node),
        ("name", false as Node),
        ("name", ["a"] as Node),
        ("port", ["a": 1] as Node),
    ])
    func scalarsAreStrict(key: String, value: Node) throws {
        var node: Node = ["name": "http", "port": 80]
        var mapping = try #require(node.mapping)
        mapping[key] = value
        node = .mapping(mapping)
        let error = try #require(expectDecodingError { _ = try decoder.decode(WidgetPort.self, from: node) })
        #expect(error.caseName == "typeMismatch")
        #expect(error.codingPathText == key)
        #expect(error.debugText.contains("but found \(value.kindDescription)"))
    }

    @Test func boolsDecodeOnlyFromBooleans() throws {
        #expect(try decoder.decode(Bool.self, from: true) == true)
        #expect(expectDecodingError { _ = try decoder.decode(Bool.self, from: "true") }?.caseName == "typeMismatch")
        #expect(expectDecodingError { _ = try decoder.decode(Bool.self, from: 1) }?.caseName == "typeMismatch")
    }

    @Test func typeErrorsFromYAMLTextCarryPathLineAndColumn() throws {
        let yaml = """
            apiVersion: example.com/v1
            kind: Widget
            spec:
              replicas: 3
              ports:
              - name: a
                port: 80
              - name: b
                port: 81
              - name: c
                port: eighty

            """
        struct Spec: Decodable {
            var replicas: Int
            var ports: [WidgetPort]
        }
        struct Root: Decodable { var spec: Spec }
        let error = try #require(expectDecodingError { _ = try decoder.decode(Root.self, fromYAML: yaml) })
        #expect(error.caseName == "typeMismatch")
        #expect(error.codingPathText == "spec.ports[2].port")
        #expect(error.debugText == "Expected UInt16 but found a string at line 11, column 11")
    }

    @Test func numberOutOfRangeFromJSONIsDataCorruptedWithLocation() throws {
        struct Spec: Decodable { var level: UInt8 }
        struct Root: Decodable { var spec: Spec }
        let json = #"{"spec": {"level": 300}}"#
        let error = try #require(expectDecodingError { _ = try decoder.decode(Root.self, fromJSON: json) })
        #expect(error.caseName == "dataCorrupted")
        #expect(error.codingPathText == "spec.level")
        #expect(error.debugText == "Number 300 does not fit in UInt8 at line 1, column 20")
    }

    @Test func missingKeyFromJSONNamesTheMappingLocation() throws {
        let json = "{\n  \"name\": \"http\"\n}"
        let error = try #require(
            expectDecodingError { _ = try decoder.decode(WidgetPort.self, fromJSON: Data(json.utf8)) }
        )
        guard case .keyNotFound(let key, let context) = error else {
            Issue.record("expected keyNotFound, got \(error)")
            return
        }
        #expect(key.stringValue == "port")
        #expect(context.codingPath.isEmpty)
        #expect(context.debugDescription == "No value for key \"port\" in the mapping at line 1, column 1")
    }

    @Test func badDateDataAndURLAreDataCorrupted() throws {
        struct Stamp: Decodable {
            var at: Date?
            var blob: Data?
            var link: URL?
        }
        let date = try #require(
            expectDecodingError { _ = try decoder.decode(Stamp.self, from: ["at": "2024-02-30T00:00:00Z"]) }
        )
        #expect(date.caseName == "dataCorrupted")
        #expect(date.codingPathText == "at")
        #expect(date.debugText.contains("RFC 3339"))
        let blob = try #require(
            expectDecodingError { _ = try decoder.decode(Stamp.self, from: ["blob": "not base64!"]) }
        )
        #expect(blob.caseName == "dataCorrupted")
        #expect(blob.codingPathText == "blob")
        let link = try #require(expectDecodingError { _ = try decoder.decode(Stamp.self, from: ["link": ""]) })
        #expect(link.caseName == "dataCorrupted")
        #expect(link.codingPathText == "link")
        let notString = try #require(
            expectDecodingError { _ = try decoder.decode(Stamp.self, from: ["at": 1_714_566_600]) }
        )
        #expect(notString.caseName == "typeMismatch")
    }

    @Test func floatingPointValues() throws {
        #expect(try decoder.decode(Double.self, from: 1.5) == 1.5)
        #expect(try decoder.decode(Double.self, from: 3) == 3)
        #expect(try decoder.decode(Float.self, from: .number(Node.Number("0.1")!)) == Float("0.1"))
        #expect(try decoder.decode(Double.self, from: .number(Node.Number("-.inf")!)) == -.infinity)
        #expect(try decoder.decode(Double.self, from: .number(Node.Number(".nan")!)).isNaN)
        let tooBig = try #require(
            expectDecodingError { _ = try decoder.decode(Float.self, from: .number(Node.Number("1e39")!)) }
        )
        #expect(tooBig.caseName == "dataCorrupted")
        #expect(tooBig.debugText == "Number 1e39 does not fit in Float")
        #expect(expectDecodingError { _ = try decoder.decode(Double.self, from: "1.5") }?.caseName == "typeMismatch")
    }

    /// Short plain decimals take a path of their own (no `String`, no
    /// `strtod`); every form must still give exactly what the number's text
    /// gives through ``Node/Number/doubleValue``, and JSON-grammar texts what
    /// `Double(String)` gives.
    @Test(arguments: [
        "0", "-0", "0.0", "-0.0", "1.0", "0.75", "2.5", "0.1", "0.3", "-12.125", "007", "00.5",
        "123456789012345", "12345678.9012345", "999999999999999", "0.000000000000001",
        "1234567890123456", "0.1234567890123456", "1.", ".5", "+1.5", "-.5", "1e5", "2.5E-3", "0x1F", "0o17",
    ])
    func shortDecimalsDecodeAsTheirText(_ text: String) throws {
        let number = try #require(Node.Number(text))
        let expected = number.doubleValue
        let fromTree = try decoder.decode(Double.self, from: .number(number))
        let fromYAML = try decoder.decode([Double].self, fromYAML: "[\(text)]")
        #expect(fromTree.bitPattern == expected.bitPattern)
        #expect(fromYAML.first?.bitPattern == expected.bitPattern)
        if number.jsonText == text {
            let fromJSON = try decoder.decode([Double].self, fromJSON: "[\(text)]")
            #expect(fromJSON.first?.bitPattern == expected.bitPattern)
            #expect(Double(text)?.bitPattern == expected.bitPattern)
        }
    }

    @Test func integersAcceptIntegralFloatsAndOtherRadixes() throws {
        #expect(try decoder.decode(Int.self, from: 2.0) == 2)
        #expect(try decoder.decode(Int.self, from: .number(Node.Number("0x1F")!)) == 31)
        #expect(try decoder.decode(UInt8.self, from: .number(Node.Number("0o17")!)) == 15)
        #expect(try decoder.decode(Int8.self, from: .number(Node.Number("+12")!)) == 12)
        let fraction = try #require(expectDecodingError { _ = try decoder.decode(Int.self, from: 1.5) })
        #expect(fraction.caseName == "dataCorrupted")
        #expect(fraction.debugText == "Number 1.5 does not fit in Int")
    }

    @Test func decimalsDecodeFromNumbers() throws {
        #expect(try decoder.decode(Decimal.self, from: .number(Node.Number("12.345")!)) == Decimal(string: "12.345"))
        #expect(expectDecodingError { _ = try decoder.decode(Decimal.self, from: "1") }?.caseName == "typeMismatch")
    }

    @Test func unkeyedContainerReportsCountIndexAndEnd() throws {
        struct PastTheEnd: Decodable {
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                while !container.isAtEnd { _ = try container.decodeNil() ? nil : container.decode(Int.self) }
                _ = try container.decode(Int.self)
            }
        }
        let error = try #require(expectDecodingError { _ = try decoder.decode(PastTheEnd.self, from: [1, nil, 3]) })
        #expect(error.caseName == "valueNotFound")
        #expect(error.codingPathText == "[3]")

        struct Lenient: Decodable {
            var values: [Int?] = []
            var indexes: [Int] = []
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                #expect(container.count == 3)
                while !container.isAtEnd {
                    indexes.append(container.currentIndex)
                    values.append(try container.decodeNil() ? nil : container.decode(Int.self))
                }
            }
        }
        let lenient = try decoder.decode(Lenient.self, from: [1, nil, 3])
        #expect(lenient.values == [1, nil, 3])
        #expect(lenient.indexes == [0, 1, 2])
    }

    @Test func nestedContainersAndAllKeys() throws {
        struct Flattened: Decodable {
            var name: String
            var first: Int
            var keys: [String]
            var hasMissing: Bool
            enum Outer: String, CodingKey { case metadata, items }
            enum Inner: String, CodingKey { case name, other }
            init(from decoder: any Decoder) throws {
                let outer = try decoder.container(keyedBy: Outer.self)
                let metadata = try outer.nestedContainer(keyedBy: Inner.self, forKey: .metadata)
                name = try metadata.decode(String.self, forKey: .name)
                keys = metadata.allKeys.map(\.stringValue)
                hasMissing = metadata.contains(.other)
                var items = try outer.nestedUnkeyedContainer(forKey: .items)
                first = try items.decode(Int.self)
                let error = #expect(throws: DecodingError.self) { _ = try items.decode(String.self) }
                #expect(error.map { codingPathString($0.errorContext?.codingPath ?? []) } == "items[1]")
                #expect(codingPathString(metadata.codingPath) == "metadata")
            }
        }
        let value = try decoder.decode(
            Flattened.self,
            from: ["metadata": ["name": "a", "unknown": 1], "items": [4, 5]]
        )
        #expect(value.name == "a")
        #expect(value.first == 4)
        #expect(value.keys == ["name"])  // "unknown" is not a key of Inner
        #expect(value.hasMissing == false)
    }

    @Test func codingPathIsVisibleInsideInitFromDecoder() throws {
        struct Probe: Decodable {
            var path: String
            init(from decoder: any Decoder) throws { path = codingPathString(decoder.codingPath) }
        }
        struct Root: Decodable { var items: [[String: Probe]] }
        let root = try decoder.decode(Root.self, from: ["items": [["a": [:]], ["b": [:]]]])
        #expect(root.items[1]["b"]?.path == "items[1].b")
    }

    @Test func largeMappingsUseTheIndex() throws {
        var mapping = Node.Mapping()
        for index in 0..<200 { mapping["key\(index)"] = Node(Node.Content.number(Node.Number(index))) }
        let dictionary = try decoder.decode([String: Int].self, from: .mapping(mapping))
        #expect(dictionary.count == 200)
        #expect(dictionary["key137"] == 137)

        struct Probe: Decodable {
            var has150: Bool
            var has999: Bool
            var value: Int
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingTestKey.self)
                has150 = container.contains(CodingTestKey("key150"))
                has999 = container.contains(CodingTestKey("key999"))
                value = try container.decode(Int.self, forKey: CodingTestKey("key199"))
                let error = #expect(throws: DecodingError.self) {
                    _ = try container.decode(Int.self, forKey: CodingTestKey("key999"))
                }
                #expect(error?.caseName == "keyNotFound")
            }
        }
        let probe = try decoder.decode(Probe.self, from: .mapping(mapping))
        #expect(probe.has150 && !probe.has999 && probe.value == 199)
    }

    @Test func intKeyedDictionaries() throws {
        let value = try decoder.decode([Int: String].self, from: ["1": "one", "20": "twenty"])
        #expect(value == [1: "one", 20: "twenty"])
    }

    @Test func superDecoderReadsTheSuperKey() throws {
        let child = try decoder.decode(CodingTestChild.self, from: ["super": ["base": 1], "extra": "x"])
        #expect(child.base == 1)
        #expect(child.extra == "x")
        let node = try DocumentEncoder().encodeNode(child)
        #expect(node == ["extra": "x", "super": ["base": 1]])
    }

    @Test func userInfoReachesInitFromDecoder() throws {
        let key = try #require(CodingUserInfoKey(rawValue: "prefix"))
        struct Prefixed: Decodable {
            var text: String
            init(from decoder: any Decoder) throws {
                let key = CodingUserInfoKey(rawValue: "prefix")!
                let prefix = decoder.userInfo[key] as? String ?? ""
                text = prefix + (try decoder.singleValueContainer().decode(String.self))
            }
        }
        let decoder = DocumentDecoder(userInfo: [key: "x-"])
        #expect(try decoder.decode(Prefixed.self, from: "name").text == "x-name")
    }

    @Test func nestingDeeperThanTheLimitIsAnErrorNotACrash() throws {
        struct Chain: Decodable { var next: [Chain] }
        var node: Node = ["next": []]
        for _ in 0..<300 { node = ["next": [node]] }
        let error = try #require(
            expectDecodingError {
                _ = try DocumentDecoder(limits: ParseLimits(maxDepth: 64)).decode(Chain.self, from: node)
            }
        )
        #expect(error.caseName == "dataCorrupted")
        #expect(error.debugText.contains("deeper than 64"))
        let shallow: Node = ["next": [["next": []]]]
        #expect(
            try DocumentDecoder(limits: ParseLimits(maxDepth: 64)).decode(Chain.self, from: shallow).next.count == 1
        )
    }

    @Test func decodeAllReadsEveryDocument() throws {
        let yaml = "name: a\nport: 1\n---\nname: b\nport: 2\n"
        let ports = try decoder.decodeAll(WidgetPort.self, fromYAML: yaml)
        #expect(ports == [WidgetPort(name: "a", port: 1), WidgetPort(name: "b", port: 2)])
        #expect(try decoder.decodeAll(WidgetPort.self, fromYAML: "").isEmpty)
        #expect(throws: CodecError.self) { _ = try decoder.decode(WidgetPort.self, fromYAML: yaml) }
        #expect(
            try decoder.decode(WidgetPort.self, fromYAML: Data("name: c\nport: 3\n".utf8))
                == WidgetPort(name: "c", port: 3)
        )
    }

    @Test func syntaxErrorsStayCodecErrors() throws {
        #expect(throws: CodecError.self) { _ = try decoder.decode(WidgetPort.self, fromJSON: "{\"name\": }") }
    }
}

struct CodingTestKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

class CodingTestBase: Codable {
    var base: Int
    init(base: Int) { self.base = base }
}

final class CodingTestChild: CodingTestBase {
    var extra: String
    enum CodingKeys: String, CodingKey { case extra }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        extra = try container.decode(String.self, forKey: .extra)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(extra, forKey: .extra)
        try super.encode(to: container.superEncoder())
    }
}
