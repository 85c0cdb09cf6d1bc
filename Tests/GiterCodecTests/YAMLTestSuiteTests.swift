import Foundation
import GiterCodec
import Testing

/// Runs the YAML reader over the public yaml-test-suite (`data` layout).
///
/// A case is *inside the subset* when none of its tags names a feature that
/// Giter leaves out (anchors, aliases, tags, directives, explicit or complex
/// or empty keys). Inside the subset, a case with `in.json` must give exactly
/// those documents, and a case without it must read without error. Every
/// `error` case must be rejected. A case outside the subset must be rejected
/// with a ``CodecError`` or read correctly, never crash or hang.
@Suite("yaml-test-suite")
struct YAMLTestSuiteTests {
    /// Tags naming features outside Giter's YAML subset.
    static let unsupportedTags: Set<String> = [
        "alias", "anchor", "tag", "local-tag", "unknown-tag", "directive", "complex-key", "explicit-key", "empty-key",
    ]

    /// Cases inside the subset that the reader rejects on purpose, with the reason.
    static let rejectedByChoice: [String: String] = [
        "6ZKB": "a %YAML directive: directives are outside the subset",
        "9DXL": "a %YAML directive: directives are outside the subset",
        "DK95/07": "a %YAML directive: directives are outside the subset",
        "RTP8": "a %YAML directive: directives are outside the subset",
        "W4TN": "a %YAML directive: directives are outside the subset",
        "SM9W/01": "a mapping with an empty key (':' alone): empty keys are outside the subset",
        "9MMW": "a flow mapping used as the key of a single-pair entry: complex keys are outside the subset",
    ]

    struct Case {
        let id: String
        let directory: URL
        let tags: Set<String>
        var inSubset: Bool { tags.isDisjoint(with: YAMLTestSuiteTests.unsupportedTags) }
        var isError: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("error").path) }
    }

    static func loadCases(_ root: URL) throws -> [Case] {
        let fileManager = FileManager.default
        var tagsByCase: [String: Set<String>] = [:]
        let tagsRoot = root.appendingPathComponent("tags")
        for tag in try fileManager.contentsOfDirectory(atPath: tagsRoot.path) {
            let tagDirectory = tagsRoot.appendingPathComponent(tag)
            guard let walker = fileManager.enumerator(atPath: tagDirectory.path) else { continue }
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                _ = fileManager.fileExists(atPath: tagDirectory.appendingPathComponent(relative).path, isDirectory: &isDirectory)
                if !isDirectory.boolValue { tagsByCase[relative, default: []].insert(tag) }
            }
        }
        var cases: [Case] = []
        for name in try fileManager.contentsOfDirectory(atPath: root.path).sorted() where name.count == 4 {
            let directory = root.appendingPathComponent(name)
            if fileManager.fileExists(atPath: directory.appendingPathComponent("in.yaml").path) {
                cases.append(Case(id: name, directory: directory, tags: tagsByCase[name] ?? []))
                continue
            }
            for sub in (try? fileManager.contentsOfDirectory(atPath: directory.path))?.sorted() ?? [] {
                let subDirectory = directory.appendingPathComponent(sub)
                if fileManager.fileExists(atPath: subDirectory.appendingPathComponent("in.yaml").path) {
                    let id = "\(name)/\(sub)"
                    cases.append(Case(id: id, directory: subDirectory, tags: tagsByCase[id] ?? []))
                }
            }
        }
        return cases
    }

    @Test("every case inside the subset reads as in.json; every error case is rejected",
          TestData.enabled("yaml-test-suite"))
    func conformance() throws {
        let root = try #require(TestData.directory("yaml-test-suite"))
        let cases = try Self.loadCases(root)
        #expect(cases.count > 300, "expected the full suite, found \(cases.count) cases")
        let reader = YAMLReader()
        var counts = (matched: 0, readNoJSON: 0, errorsRejected: 0, outsideRejected: 0, outsideRead: 0, chosen: 0)
        var failures: [String] = []
        for testCase in cases {
            let yaml = try [UInt8](Data(contentsOf: testCase.directory.appendingPathComponent("in.yaml")))
            let result = Result { try reader.read(yaml) }
            if case .failure(let error) = result, !(error is CodecError) {
                failures.append("\(testCase.id): threw a non-CodecError \(error)")
                continue
            }
            if testCase.isError {
                if case .success = result {
                    failures.append("\(testCase.id): error case accepted")
                } else {
                    counts.errorsRejected += 1
                }
                continue
            }
            let jsonURL = testCase.directory.appendingPathComponent("in.json")
            let expected: [Node]? =
                FileManager.default.fileExists(atPath: jsonURL.path)
                ? try JSONReader().readStream([UInt8](Data(contentsOf: jsonURL))) : nil
            guard testCase.inSubset else {
                switch result {
                case .failure: counts.outsideRejected += 1
                case .success(let documents):
                    if let expected, !Self.same(documents, expected) {
                        failures.append("\(testCase.id) (outside the subset): read wrongly: \(documents) expected \(expected)")
                    } else {
                        counts.outsideRead += 1
                    }
                }
                continue
            }
            if let reason = Self.rejectedByChoice[testCase.id] {
                if case .failure = result { counts.chosen += 1 } else {
                    failures.append("\(testCase.id): listed as rejected (\(reason)) but read; remove it from the list")
                }
                continue
            }
            switch result {
            case .failure(let error):
                failures.append("\(testCase.id) [\(testCase.tags.sorted().joined(separator: ","))]: rejected: \(error)")
            case .success(let documents):
                if let expected {
                    if Self.same(documents, expected) {
                        counts.matched += 1
                    } else {
                        failures.append(
                            "\(testCase.id) [\(testCase.tags.sorted().joined(separator: ","))]: got \(Self.render(documents)) expected \(Self.render(expected))"
                        )
                    }
                } else {
                    counts.readNoJSON += 1
                }
            }
        }
        print(
            """
            yaml-test-suite: \(cases.count) cases; inside the subset: \(counts.matched) match in.json, \
            \(counts.readNoJSON) read (no in.json), \(counts.chosen) rejected by choice; \
            error cases rejected: \(counts.errorsRejected); outside the subset: \(counts.outsideRejected) rejected, \
            \(counts.outsideRead) read correctly; failures: \(failures.count)
            """
        )
        for failure in failures {
            print("FAIL \(failure)")
            Issue.record("\(failure)")
        }
    }

    /// Compares documents the way JSON sees them: numbers by value, mapping
    /// entries by key.
    static func same(_ lhs: [Node], _ rhs: [Node]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { same($0, $1) }
    }

    static func same(_ lhs: Node, _ rhs: Node) -> Bool {
        switch (lhs.content, rhs.content) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)):
            let (x, y) = (a.doubleValue, b.doubleValue)
            return x == y || (x.isNaN && y.isNaN)
        case (.sequence(let a), .sequence(let b)): return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.mapping(let a), .mapping(let b)):
            return a.count == b.count && a.allSatisfy { entry in b[entry.key].map { same(entry.value, $0) } ?? false }
        default: return false
        }
    }

    static func render(_ documents: [Node]) -> String {
        documents.map { (try? JSONWriter().write($0)) ?? "\($0)" }.joined(separator: " | ")
    }
}
