import Foundation

/// One benchmark document in both formats, plus the value it holds.
struct Document: Sendable {
    /// Short name used in the output and on the command line: `2.6k` or `1m`.
    var name: String
    var yamlText: String
    var jsonText: String
    var jsonData: Data
    var value: WebService

    var yamlBytes: Int { yamlText.utf8.count }
    var jsonBytes: Int { jsonData.count }
}

enum DocumentError: Error, CustomStringConvertible {
    case fixtureNotFound([String])
    case unknownDocument(String)

    var description: String {
        switch self {
        case .fixtureNotFound(let paths):
            "fixture cr-2_6k.yaml not found; looked in: \(paths.joined(separator: ", "))"
        case .unknownDocument(let name):
            "unknown document '\(name)' (expected 2.6k or 1m)"
        }
    }
}

enum Documents {
    static let smallName = "2.6k"
    static let largeName = "1m"
    /// The large document grows until its YAML text reaches this size.
    static let largeTargetBytes = 1 << 20

    /// The committed fixture, `Benchmarks/Fixtures/cr-2_6k.yaml`.
    static func fixtureText() throws -> String {
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let candidates = [
            sourceDirectory.appendingPathComponent("../../Fixtures/cr-2_6k.yaml").standardized.path,
            FileManager.default.currentDirectoryPath + "/Benchmarks/Fixtures/cr-2_6k.yaml",
            FileManager.default.currentDirectoryPath + "/Fixtures/cr-2_6k.yaml",
        ]
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path) {
                return String(decoding: data, as: UTF8.self)
            }
        }
        throw DocumentError.fixtureNotFound(candidates)
    }

    /// The YAML text of a document by name; the large one is generated.
    static func yamlText(named name: String) throws -> String {
        switch name {
        case smallName: return try fixtureText()
        case largeName: return largeYAML(from: try fixtureText(), targetBytes: largeTargetBytes)
        default: throw DocumentError.unknownDocument(name)
        }
    }

    /// Builds a document: YAML text, its value (decoded by Yams, the reference
    /// reader), and compact JSON text with the same content and key order.
    static func make(named name: String, decodeYAML: (String) throws -> WebService) throws -> Document {
        let yaml = try yamlText(named: name)
        let json = try JSONFromYAML.convert(yaml)
        return Document(
            name: name,
            yamlText: yaml,
            jsonText: json,
            jsonData: Data(json.utf8),
            value: try decodeYAML(yaml)
        )
    }

    /// The fixture with its `spec.routes` sequence extended by generated
    /// routes in the same style, until the text reaches `targetBytes`.
    /// Deterministic: the same text on every run and machine.
    static func largeYAML(from fixture: String, targetBytes: Int) -> String {
        let marker = "\n  rollout:\n"
        guard let split = fixture.range(of: marker) else { return fixture }
        let lineStart = fixture.index(after: split.lowerBound)
        let head = fixture[..<lineStart]
        let tail = fixture[lineStart...]
        var routes = ""
        routes.reserveCapacity(targetBytes)
        var random = SplitMix64(seed: 0x6769_7465_72)
        var index = 0
        while head.utf8.count + routes.utf8.count + tail.utf8.count < targetBytes {
            routes += generatedRoute(index: index, random: &random)
            index += 1
        }
        return String(head) + routes + String(tail)
    }

    private static let methodSets = ["[GET]", "[GET, HEAD]", "[GET, POST]", "[PUT, PATCH, DELETE]", "[POST]"]
    private static let headerValues = [
        ("Cache-Control", "public, max-age=60"),
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'self'; img-src *"),
        ("X-Frame-Options", "DENY"),
        ("Vary", "Accept-Encoding, Accept-Language"),
    ]
    private static let segments = ["api", "v2", "items", "orders", "users", "search", "cart", "assets", "reviews"]

    private static func generatedRoute(index: Int, random: inout SplitMix64) -> String {
        let first = segments[random.next(below: segments.count)]
        let second = segments[random.next(below: segments.count)]
        let weight = Double(random.next(below: 1000)) / 1000
        let timeout = Double(random.next(below: 120) + 1) / 4
        var text = """
                - name: route-\(index)
                  path: /\(first)/\(second)/\(index)
                  port: \(8000 + random.next(below: 1000))
                  weight: \(weight)
                  timeoutSeconds: \(timeout)
                  enabled: \(random.next(below: 5) != 0)
                  methods: \(methodSets[random.next(below: methodSets.count)])

            """
        let headerCount = random.next(below: 4)
        if headerCount == 0 {
            text += "      headers: []\n"
        } else {
            text += "      headers:\n"
            for _ in 0..<headerCount {
                let (name, value) = headerValues[random.next(below: headerValues.count)]
                let quoted = value.contains("*") || value.contains("'") ? "\"\(value)\"" : value
                text += "        - name: \(name)\n          value: \(quoted)\n"
            }
        }
        return text
    }
}

/// A small, fast, deterministic pseudo-random generator (SplitMix64).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
