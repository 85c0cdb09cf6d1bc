import Foundation
import GiterCodec
import Testing

/// Conformance against nst/JSONTestSuite's `test_parsing` corpus.
///
/// - `y_` files must be accepted, with the value Python 3's `json` module
///   reads (run once for all files, as an independent reference).
/// - `n_` files must be rejected with a ``CodecError``.
/// - `i_` files may go either way but must never crash; which way each went
///   is printed.
@Suite struct JSONTestSuiteTests {
    /// `y_` cases rejected on purpose, with the reason.
    static let rejectedByDesign: [String: String] = [
        "y_object_duplicated_key.json": "duplicate keys are an error in Giter (RFC 8259 only says SHOULD be unique)",
        "y_object_duplicated_key_and_value.json": "duplicate keys are an error even when the values are equal",
    ]

    static let suite = "json-test-suite"

    @Test(TestData.enabled(suite))
    func conformance() throws {
        let directory = try #require(TestData.directory(Self.suite)).appendingPathComponent("test_parsing")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(names.count == 318, "expected the 318 files of test_parsing")

        let reader = JSONReader()
        let accepted = names.filter { $0.hasPrefix("y_") && Self.rejectedByDesign[$0] == nil }
        let reference = try PythonReference.values(of: accepted.map { directory.appendingPathComponent($0).path })

        var yAccepted = 0
        var yRejectedByDesign = 0
        var nRejected = 0
        var nTotal = 0
        var iAccepted: [String] = []
        var iRejected: [String] = []
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            if name.hasPrefix("y_") {
                if let reason = Self.rejectedByDesign[name] {
                    #expect(throws: CodecError.self, "\(name) must be rejected: \(reason)") { try reader.read(bytes) }
                    yRejectedByDesign += 1
                    continue
                }
                do {
                    let node = try reader.read(bytes)
                    let expected = try #require(reference[name], "no Python reference value for \(name)")
                    let actual = ReferenceToken.tokens(of: node)
                    #expect(
                        ReferenceToken.matches(actual, expected),
                        "\(name): read \(actual), Python read \(expected)"
                    )
                    yAccepted += 1
                } catch {
                    Issue.record("\(name) must be accepted, but: \(error)")
                }
            } else if name.hasPrefix("n_") {
                nTotal += 1
                do {
                    let node = try reader.read(bytes)
                    Issue.record("\(name) must be rejected, but was read as \(node)")
                } catch is CodecError {
                    nRejected += 1
                } catch {
                    Issue.record("\(name) was rejected with an error that is not a CodecError: \(error)")
                }
            } else if name.hasPrefix("i_") {
                if (try? reader.read(bytes)) != nil { iAccepted.append(name) } else { iRejected.append(name) }
            } else {
                Issue.record("unexpected file \(name) in test_parsing")
            }
        }
        let yTotal = accepted.count
        print(
            "json-test-suite: y \(yAccepted)/\(yTotal) accepted (+\(yRejectedByDesign) duplicate-key cases rejected "
                + "by design), n \(nRejected)/\(nTotal) rejected, i \(iAccepted.count + iRejected.count) run "
                + "(\(iAccepted.count) accepted, \(iRejected.count) rejected)"
        )
        print("json-test-suite: i_ accepted: \(iAccepted.joined(separator: ", "))")
        #expect(yAccepted == yTotal)
        #expect(nRejected == nTotal)
        #expect(iAccepted.count + iRejected.count == 35)
        // Implementation-defined cases whose outcome is a documented choice.
        #expect(iAccepted.contains("i_structure_UTF-8_BOM_empty_object.json"), "a leading BOM is skipped")
        #expect(iRejected.contains("i_string_1st_surrogate_but_2nd_missing.json"), "lone surrogates are errors")
        #expect(iRejected.contains("i_structure_500_nested_arrays.json"), "deeper than the default maxDepth of 128")
    }

    /// Deep nesting with a limit far above the input's depth still parses
    /// without recursion.
    @Test(TestData.enabled(suite))
    func deepNestingWithRaisedLimit() throws {
        let directory = try #require(TestData.directory(Self.suite)).appendingPathComponent("test_parsing")
        let nested = try [UInt8](
            Data(contentsOf: directory.appendingPathComponent("i_structure_500_nested_arrays.json"))
        )
        let node = try JSONReader(limits: ParseLimits(maxDepth: 500)).read(nested)
        var depth = 0
        var current: Node? = node
        while let items = current?.sequence {
            depth += 1
            current = items.first
        }
        #expect(depth == 500)

        let unclosed = try [UInt8](
            Data(contentsOf: directory.appendingPathComponent("n_structure_100000_opening_arrays.json"))
        )
        #expect(throws: CodecError.self) { try JSONReader(limits: ParseLimits(maxDepth: 1_000_000)).read(unclosed) }
    }
}

extension JSONTestSuiteTests {
    /// Every prefix of every corpus file, and every file with one byte
    /// replaced by a structural or invalid byte, is read or rejected with a
    /// ``CodecError``: never a crash, never another error.
    @Test(TestData.enabled(suite))
    func truncatedAndMutatedInputs() throws {
        let directory = try #require(TestData.directory(Self.suite)).appendingPathComponent("test_parsing")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        let reader = JSONReader()
        let replacements: [UInt8] = [0x22, 0x5C, 0x5B, 0x7B, 0x5D, 0x7D, 0x2C, 0x3A, 0x00, 0x0A, 0x80, 0xFF]
        var inputs = 0
        var accepted = 0
        func check(_ bytes: [UInt8]) {
            inputs += 1
            do {
                _ = try reader.read(bytes)
                accepted += 1
            } catch is CodecError {
            } catch {
                Issue.record("not a CodecError for \(bytes.prefix(40)): \(error)")
            }
        }
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            guard bytes.count <= 4096 else { continue }
            for length in 0..<bytes.count { check(Array(bytes[..<length])) }
            for index in bytes.indices {
                for replacement in replacements where bytes[index] != replacement {
                    var mutated = bytes
                    mutated[index] = replacement
                    check(mutated)
                }
            }
        }
        print("json-test-suite: \(inputs) truncated or mutated inputs read without a crash (\(accepted) accepted)")
        #expect(inputs > 10_000)
    }
}

/// One token of a value in a flat, comparable form shared with the Python
/// reference: scalars, container brackets and object keys.
private enum ReferenceToken: Equatable, CustomStringConvertible {
    case null, bool(Bool), integer(String), double(Double), string([UInt8]), key([UInt8])
    case arrayStart, arrayEnd, objectStart, objectEnd

    /// Parses one token of the Python script's output.
    init?(python token: Substring) {
        guard let tag = token.first else { return nil }
        let body = token.dropFirst()
        switch tag {
        case "n": self = .null
        case "t": self = .bool(true)
        case "f": self = .bool(false)
        case "i": self = .integer(String(body))
        case "d":
            guard let value = Double(String(body)) else { return nil }
            self = .double(value)
        case "s", "k":
            guard let bytes = Self.bytes(hex: body) else { return nil }
            self = tag == "s" ? .string(bytes) : .key(bytes)
        case "[": self = .arrayStart
        case "]": self = .arrayEnd
        case "{": self = .objectStart
        case "}": self = .objectEnd
        default: return nil
        }
    }

    static func tokens(of node: Node) -> [ReferenceToken] {
        var tokens: [ReferenceToken] = []
        append(node, to: &tokens)
        return tokens
    }

    private static func append(_ node: Node, to tokens: inout [ReferenceToken]) {
        switch node.content {
        case .null: tokens.append(.null)
        case .bool(let value): tokens.append(.bool(value))
        case .number(let number):
            tokens.append(number.isInteger ? .integer(normalizedInteger(number.text)) : .double(number.doubleValue))
        case .string(let string): tokens.append(.string(Array(string.utf8)))
        case .sequence(let items):
            tokens.append(.arrayStart)
            for item in items { append(item, to: &tokens) }
            tokens.append(.arrayEnd)
        case .mapping(let mapping):
            tokens.append(.objectStart)
            for entry in mapping {
                tokens.append(.key(Array(entry.key.utf8)))
                append(entry.value, to: &tokens)
            }
            tokens.append(.objectEnd)
        }
    }

    /// Decimal digits without leading zeros, `-` only for non-zero values (as Python's `str(int)`).
    private static func normalizedInteger(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let digits = text.drop { $0 == "-" || $0 == "+" || $0 == "0" }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }

    /// Equal token by token; integers compare exactly, a float and any
    /// number numerically as `Double`.
    static func matches(_ lhs: [ReferenceToken], _ rhs: [ReferenceToken]) -> Bool {
        lhs.count == rhs.count
            && zip(lhs, rhs).allSatisfy { a, b in
                switch (a, b) {
                case (.integer(let x), .integer(let y)): x == y
                case (.integer(let x), .double(let y)), (.double(let y), .integer(let x)): Double(x) == y
                default: a == b
                }
            }
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[pair..<pair + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let text): text
        case .double(let value): "\(value)"
        case .string(let bytes): String(reflecting: String(decoding: bytes, as: UTF8.self))
        case .key(let bytes): String(reflecting: String(decoding: bytes, as: UTF8.self)) + ":"
        case .arrayStart: "["
        case .arrayEnd: "]"
        case .objectStart: "{"
        case .objectEnd: "}"
        }
    }
}

/// Reads files with Python 3's `json` module, in one process for all files.
private enum PythonReference {
    private static let script = #"""
        import json, os, sys

        def emit(value, out):
            if value is None: out.append('n')
            elif value is True: out.append('t')
            elif value is False: out.append('f')
            elif isinstance(value, int): out.append('i' + str(value))
            elif isinstance(value, float): out.append('d' + value.hex())
            elif isinstance(value, str): out.append('s' + value.encode('utf-8', 'surrogatepass').hex())
            elif isinstance(value, list):
                out.append('[')
                for item in value: emit(item, out)
                out.append(']')
            elif isinstance(value, dict):
                out.append('{')
                for key, item in value.items():
                    out.append('k' + key.encode('utf-8', 'surrogatepass').hex())
                    emit(item, out)
                out.append('}')
            else: raise TypeError(type(value))

        for path in sys.argv[1:]:
            with open(path, 'rb') as file:
                data = file.read()
            try:
                out = []
                emit(json.loads(data.decode('utf-8')), out)
                print(os.path.basename(path) + '\t' + ' '.join(out))
            except Exception as error:
                print(os.path.basename(path) + '\tERROR ' + type(error).__name__)
        """#

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The tokens of each file's value, by file name.
    static func values(of paths: [String]) throws -> [String: [ReferenceToken]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + paths
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run python3 for the reference values: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with status \(process.terminationStatus)")
        }
        var values: [String: [ReferenceToken]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { throw Failure(description: "unexpected python3 output: \(line)") }
            let tokens = parts[1].split(separator: " ").map { ReferenceToken(python: $0) }
            guard !tokens.isEmpty, tokens.allSatisfy({ $0 != nil }) else {
                throw Failure(description: "python3 could not read \(parts[0]): \(parts[1])")
            }
            values[String(parts[0])] = tokens.compactMap { $0 }
        }
        return values
    }
}
