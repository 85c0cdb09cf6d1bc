import Foundation
import GiterCodec
import Testing

/// Mutated and truncated corpus inputs, and pathological nesting: both
/// readers must return or throw a ``CodecError`` with a sane location —
/// never crash, never hang. Inputs are bounded in size so the suite ends
/// quickly even in debug builds. Whatever a reader accepts must also
/// survive the matching writer and read back the same.
@Suite("Robustness")
struct RobustnessTests {
    /// Only this many leading bytes of a corpus file are mutated.
    static let mutatedPrefix = 4096

    /// Outcomes of one test, with the first few problems recorded in detail.
    struct Tally {
        var inputs = 0
        var accepted = 0
        var rejected = 0
        var problems = 0

        mutating func problem(_ message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            problems += 1
            if problems <= 10 { Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation) }
        }
    }

    // MARK: Corpora

    /// Every `in.yaml` of the YAML test suite (top-level cases and their
    /// numbered sub-cases; `name/` and `tags/` only link to them).
    static func yamlSuiteInputs() -> [(name: String, bytes: [UInt8])] {
        guard let root = TestData.directory("yaml-test-suite") else { return [] }
        var inputs: [(String, [UInt8])] = []
        let manager = FileManager.default
        let cases = ((try? manager.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        for name in cases where name != "name" && name != "tags" && !name.hasPrefix(".") {
            let directory = root.appendingPathComponent(name)
            var candidates = [directory.appendingPathComponent("in.yaml")]
            let children = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            for child in children where child.allSatisfy(\.isNumber) {
                candidates.append(directory.appendingPathComponent(child).appendingPathComponent("in.yaml"))
            }
            for url in candidates {
                if let data = manager.contents(atPath: url.path) {
                    inputs.append((url.path.replacingOccurrences(of: root.path + "/", with: ""), [UInt8](data)))
                }
            }
        }
        return inputs
    }

    /// Every file of the JSON test suite's `test_parsing`.
    static func jsonSuiteInputs() -> [(name: String, bytes: [UInt8])] {
        guard let root = TestData.directory("json-test-suite") else { return [] }
        let directory = root.appendingPathComponent("test_parsing")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: directory.appendingPathComponent(name).path).map {
                (name, [UInt8]($0))
            }
        }
    }

    // MARK: Mutations

    /// Bytes that mean something to a YAML or JSON scanner.
    static let interestingBytes: [UInt8] =
        Array("-?:,[]{}#&*!|>'\"%@`\\ \t\n\r.0e+~".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xEF, 0xFF]

    /// Seeded mutants of `input`: truncations at every k-th byte, byte
    /// flips, inserts and deletions, a duplicated line, huge indentation
    /// and, now and then, deep nesting.
    static func mutants(of input: [UInt8], seed: UInt64) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        let source = Array(input.prefix(mutatedPrefix))
        var result: [[UInt8]] = []

        let step = max(1, source.count / 12)
        for length in stride(from: 0, to: source.count, by: step) { result.append(Array(source[..<length])) }
        guard !source.isEmpty else { return result }

        func position(_ bytes: [UInt8]) -> Int { Int.random(in: 0...bytes.count, using: &random) }
        for _ in 0..<10 {
            var mutant = source
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = position(mutant)
                switch Int.random(in: 0...3, using: &random) {
                case 0 where at < mutant.count: mutant[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 1 where at < mutant.count: mutant.remove(at: at)
                case 2 where at < mutant.count: mutant[at] = interestingBytes.randomElement(using: &random) ?? 0
                default: mutant.insert(interestingBytes.randomElement(using: &random) ?? 0, at: at)
                }
            }
            result.append(mutant)
        }

        let lineStarts = [0] + source.indices.filter { source[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        if let start = lineStarts.randomElement(using: &random) {
            let end = source[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? source.count
            var duplicated = source
            duplicated.insert(contentsOf: source[start..<end], at: end)
            result.append(duplicated)
            var indented = source
            indented.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: 5000), at: start)
            result.append(indented)
        }
        if seed % 16 == 0 {
            for opener in ["[", "{", "- "] {
                var nested = source
                nested.insert(contentsOf: Array(String(repeating: opener, count: 10_000).utf8), at: position(source))
                result.append(nested)
            }
        }
        return result
    }

    // MARK: Checks

    /// Reads `input` with both readers; whatever is accepted must survive
    /// its writer, whatever is rejected must be a ``CodecError`` with a
    /// location inside the input.
    static func check(_ input: [UInt8], label: @autoclosure () -> String, tally: inout Tally) {
        tally.inputs += 1
        do {
            let documents = try YAMLReader().read(input)
            tally.accepted += 1
            let text = YAMLWriter().write(documents: documents)
            do {
                let again = try YAMLReader().read(text)
                if again.map(normalizingNumbers) != documents.map(normalizingNumbers) {
                    tally.problem("\(label()): YAML read back differently after writing\nYAML:\n\(text)")
                }
            } catch {
                tally.problem("\(label()): written YAML does not read back: \(error)\nYAML:\n\(text)")
            }
        } catch let error as CodecError {
            tally.rejected += 1
            checkLocation(error, input, "YAMLReader", label(), &tally)
        } catch {
            tally.problem("\(label()): YAMLReader threw \(type(of: error)), not CodecError: \(error)")
        }

        do {
            let node = try JSONReader().read(input)
            tally.accepted += 1
            do {
                let text = try JSONWriter().write(node)
                let again = try JSONReader().read(text)
                if normalizingNumbers(again) != normalizingNumbers(node) {
                    tally.problem("\(label()): JSON read back differently after writing\nJSON:\n\(text)")
                }
            } catch let error as CodecError where error.code == .invalidValue {
                // A number too large for a Double has no JSON form: expected.
            } catch {
                tally.problem("\(label()): written JSON does not read back: \(error)")
            }
        } catch let error as CodecError {
            tally.rejected += 1
            checkLocation(error, input, "JSONReader", label(), &tally)
        } catch {
            tally.problem("\(label()): JSONReader threw \(type(of: error)), not CodecError: \(error)")
        }
    }

    static func checkLocation(
        _ error: CodecError,
        _ input: [UInt8],
        _ reader: String,
        _ label: String,
        _ tally: inout Tally
    ) {
        guard let location = error.location else {
            tally.problem("\(label): \(reader) error without a location: \(error)")
            return
        }
        // CR, LF and CRLF all end lines; counting CR and LF apart bounds them.
        let lines = input.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") || $1 == UInt8(ascii: "\r") ? 1 : 0) }
        if location.line < 1 || location.line > lines || location.column < 1 || location.offset < 0
            || location.offset > input.count
        {
            tally.problem(
                "\(label): \(reader) error location \(location) (offset \(location.offset)) is outside the input"
                    + " of \(input.count) bytes, \(lines) lines: \(error)"
            )
        }
    }

    // MARK: Tests

    @Test(TestData.enabled("yaml-test-suite"))
    func mutatedYAMLSuiteInputs() {
        let inputs = Self.yamlSuiteInputs()
        #expect(inputs.count > 300, "expected the YAML test suite's in.yaml files")
        var tally = Tally()
        for (index, input) in inputs.enumerated() {
            Self.check(input.bytes, label: input.name, tally: &tally)
            for (number, mutant) in Self.mutants(of: input.bytes, seed: UInt64(index)).enumerated() {
                Self.check(mutant, label: "\(input.name) mutant \(number) (seed \(index))", tally: &tally)
            }
        }
        print("Robustness, YAML suite: \(tally.inputs) inputs, \(tally.accepted) accepted, \(tally.rejected) rejected")
        #expect(tally.problems == 0)
    }

    @Test(TestData.enabled("json-test-suite"))
    func mutatedJSONSuiteInputs() {
        let inputs = Self.jsonSuiteInputs()
        #expect(inputs.count > 300, "expected the JSON test suite's test_parsing files")
        var tally = Tally()
        for (index, input) in inputs.enumerated() {
            Self.check(input.bytes, label: input.name, tally: &tally)
            for (number, mutant) in Self.mutants(of: input.bytes, seed: 10_000 + UInt64(index)).enumerated() {
                Self.check(mutant, label: "\(input.name) mutant \(number) (seed \(10_000 + index))", tally: &tally)
            }
        }
        print("Robustness, JSON suite: \(tally.inputs) inputs, \(tally.accepted) accepted, \(tally.rejected) rejected")
        #expect(tally.problems == 0)
    }

    /// Nesting far beyond ``ParseLimits/maxDepth`` is an error, not a stack overflow.
    static let pathological: [(name: String, text: String)] = {
        func repeated(_ text: String, _ count: Int) -> String { String(repeating: text, count: count) }
        func lines(_ count: Int, _ line: (Int) -> String) -> String {
            (0..<count).map(line).joined(separator: "\n")
        }
        return [
            ("10000 [", repeated("[", 10_000)),
            ("10000 [ ]", repeated("[", 10_000) + repeated("]", 10_000)),
            ("10000 {", repeated("{", 10_000)),
            ("10000 {\"a\":", repeated("{\"a\":", 10_000)),
            ("10000 [{", repeated("[{\"a\":", 10_000)),
            ("10000 - ", repeated("- ", 10_000) + "x\n"),
            ("10000 - lines", lines(10_000) { repeated(" ", $0 % 200) + "- " }),
            ("1000 nested keys", lines(1000) { repeated(" ", $0) + "k:" }),
            ("1000 nested - lines", lines(1000) { repeated(" ", $0) + "-" }),
            ("10000 a: ", repeated("a: ", 10_000) + "b\n"),
            ("10000 ? ", repeated("? ", 10_000)),
            ("10000 [- ", "k: " + repeated("[- ", 10_000)),
            ("100000 quotes", repeated("\"", 100_000)),
            ("100000 backslashes", "\"" + repeated("\\", 100_001)),
            ("100000 line breaks", repeated("\n", 100_000) + "x"),
            ("100001 documents", repeated("--- a\n", 100_001)),
            ("2000 empty documents", repeated("---\n", 2000)),
            ("huge indentation", repeated(" ", 1_000_000) + "a: b"),
            ("block scalar with huge indentation", "k: |\n" + repeated(" ", 1_000_000) + "x\n y"),
        ]
    }()

    /// Nesting far beyond ``ParseLimits/maxDepth`` is an error, not a stack overflow.
    @Test func pathologicalInputs() {
        for (name, text) in Self.pathological {
            var tally = Tally()
            Self.check(Array(text.utf8), label: name, tally: &tally)
            #expect(tally.problems == 0, "\(name)")
        }
    }
}
