import Foundation
import Testing

/// `giter convert`, run as the built executable against temporary files.
@Suite("giter convert")
struct ConvertCommandTests {
    static let jobYAML = """
        # A job, written by hand.
        apiVersion: batch.example.com/v1
        kind: Job
        metadata:
          name: nightly
        spec:
          retries: 3
          args: [--verbose, 'no']
          ratio: 0.5
          enabled: true
          note: null
        ---
        kind: Other

        """

    static let jobJSONLines = """
        {"apiVersion":"batch.example.com/v1","kind":"Job","metadata":{"name":"nightly"},\
        "spec":{"retries":3,"args":["--verbose","no"],"ratio":0.5,"enabled":true,"note":null}}
        {"kind":"Other"}

        """

    static let jobNormalizedYAML = """
        apiVersion: batch.example.com/v1
        kind: Job
        metadata:
          name: nightly
        spec:
          retries: 3
          args:
          - --verbose
          - "no"
          ratio: 0.5
          enabled: true
          note: null
        ---
        kind: Other

        """

    @Test func yamlToJSONWritesOneLinePerDocument() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("job.yaml", Self.jobYAML)
        let result = try await directory.run(["convert", "--to", "json", "job.yaml"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(result.stdout == Self.jobJSONLines)
    }

    @Test func jsonToYAMLSeparatesDocuments() async throws {
        let directory = try TemporaryDirectory()
        let pretty = """
            {
              "apiVersion": "batch.example.com/v1", "kind": "Job",
              "metadata": {"name": "nightly"},
              "spec": {"retries": 3, "args": ["--verbose", "no"], "ratio": 0.5, "enabled": true, "note": null}
            }
            {"kind": "Other"}
            """
        // A pretty document and another after it: neither one document nor JSON Lines (issue 14).
        try directory.write("job.json", pretty)
        let refused = try await directory.run(["convert", "--to", "yaml", "job.json"])
        #expect(refused.status == 1 && refused.stdout == "")
        #expect(refused.stderr.hasPrefix("job.json:1:2: the JSON document on this line goes on past it"), "\(refused)")
        try directory.write("job.json", Self.jobJSONLines)
        let result = try await directory.run(["convert", "--to", "yaml", "job.json"])
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(result.stdout == Self.jobNormalizedYAML)
    }

    @Test func yamlIsTheDefaultTarget() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("job.yaml", Self.jobYAML)
        let result = try await directory.run(["convert", "job.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == Self.jobNormalizedYAML)
    }

    @Test func documentsOfSeveralFilesFormOneStream() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", "a: 1\n---\nb: 2\n")
        try directory.write("c.json", #"{"c": [3]}"#)
        let yaml = try await directory.run(["convert", "a.yaml", "c.json"])
        #expect(yaml.status == 0)
        #expect(yaml.stdout == "a: 1\n---\nb: 2\n---\nc:\n- 3\n")
        let json = try await directory.run(["convert", "--to", "json", "c.json", "a.yaml"])
        #expect(json.status == 0)
        #expect(json.stdout == "{\"c\":[3]}\n{\"a\":1}\n{\"b\":2}\n")
    }

    @Test func readsStandardInputWithoutFiles() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["convert", "--to", "json"], stdin: Self.jobYAML)
        #expect(result.status == 0)
        #expect(result.stdout == Self.jobJSONLines)
    }

    @Test func dashIsStandardInput() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", "a: 1\n")
        let result = try await directory.run(["convert", "--to", "json", "a.yaml", "-"], stdin: "[true]\n")
        #expect(result.status == 0)
        #expect(result.stdout == "{\"a\":1}\n[true]\n")
    }

    @Test func autoDetectsJSONByContentWithoutAKnownExtension() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("data.txt", "\u{FEFF}\n  [1, \"two\"]\n{\"three\": 3}\n")
        try directory.write("notes.txt", "- 1\n- two\n")
        let result = try await directory.run(["convert", "data.txt", "notes.txt"])
        #expect(result.stderr == "")
        #expect(result.stdout == "- 1\n- two\n---\nthree: 3\n---\n- 1\n- two\n")
        let piped = try await directory.run(["convert"], stdin: #" {"a": 1}"# + "\n" + #"{"b": 2}"#)
        #expect(piped.stdout == "a: 1\n---\nb: 2\n")
    }

    @Test func fromOverridesTheExtension() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("really-yaml.json", "a: [1, 2]\n")
        let result = try await directory.run(["convert", "--from", "yaml", "--to", "json", "really-yaml.json"])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"a\":[1,2]}\n")
        let strict = try await directory.run(["convert", "--from", "json", "--to", "json", "-"], stdin: "a: 1\n")
        #expect(strict.status == 1)
        #expect(strict.stderr.hasPrefix("<stdin>:1:1: "))
    }

    @Test func badYAMLDocumentFailsItsFileOnly() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("file.yaml", "first: 1\n---\nab: &x 1\n")
        try directory.write("good.yaml", "good: true\n")
        let result = try await directory.run(["convert", "--to", "json", "file.yaml", "good.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("file.yaml:3:5: "))
        #expect(result.stderr.contains("anchor"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout == "{\"good\":true}\n")
    }

    @Test func badJSONDocumentReportsLineAndColumn() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("bad.json", "{\"a\": 1}\n{\"b\": }\n")
        let result = try await directory.run(["convert", "bad.json"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("bad.json:2:7: "))
        #expect(result.stderr.hasSuffix("\n"))
    }

    /// JSON input is one document, over any number of lines, or JSON Lines: nothing else.
    @Test func jsonInputIsOneDocumentOrJSONLines() async throws {
        let directory = try TemporaryDirectory()
        let pretty = "{\n  \"a\": [\n    1\n  ]\n}\n"
        let one = try await directory.run(["convert", "--from", "json"], stdin: pretty)
        #expect(one.status == 0 && one.stdout == "a:\n- 1\n", "\(one)")
        let lines = try await directory.run(["convert", "--from", "json"], stdin: "{\"a\":1}\n\n{\"b\":2}\r\n")
        #expect(lines.status == 0 && lines.stdout == "a: 1\n---\nb: 2\n", "\(lines)")

        let empty = try await directory.run(["convert", "--from", "json"], stdin: " \n")
        #expect(empty.status == 1 && empty.stdout == "")
        #expect(empty.stderr.hasPrefix("<stdin>:1:1: "), "\(empty.stderr)")
        #expect(empty.stderr.contains("empty input"), "\(empty.stderr)")

        let sameLine = try await directory.run(["convert", "--from", "json"], stdin: "{\"a\":1}\n{\"b\":2} [3]\n")
        #expect(sameLine.status == 1 && sameLine.stdout == "")
        #expect(sameLine.stderr.hasPrefix("<stdin>:2:9: "), "\(sameLine.stderr)")
        #expect(sameLine.stderr.contains("JSON Lines"), "\(sameLine.stderr)")

        // A pretty document followed by another: neither one document nor JSON Lines.
        let twoPretty = try await directory.run(["convert", "--from", "json"], stdin: pretty + pretty)
        #expect(twoPretty.status == 1 && twoPretty.stdout == "")
        #expect(twoPretty.stderr.hasPrefix("<stdin>:1:2: the JSON document on this line goes on past it"), "\(twoPretty.stderr)")

        // giter apply reads JSON by the same rule.
        try directory.write("two.json", "{\"kind\": \"A\"} {\"kind\": \"B\"}\n")
        let apply = try await directory.run(["apply", "-f", "two.json", "--remote", directory.url.path + "/none.git"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("two.json:1:15: "), "\(apply.stderr)")
    }

    @Test func badStandardInputIsNamedStdin() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["convert", "--to", "json"], stdin: "a: 1\na: 2\n")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("<stdin>:2:1: "))
    }

    @Test func infinityCannotBecomeJSON() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("inf.yaml", "ok: 1\n---\nratio: .inf\n")
        let result = try await directory.run(["convert", "--to", "json", "inf.yaml"])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("inf.yaml:3:8: JSON cannot represent .inf"))
        let yaml = try await directory.run(["convert", "--to", "yaml", "inf.yaml"])
        #expect(yaml.status == 0)
        #expect(yaml.stdout == "ok: 1\n---\nratio: .inf\n")
    }

    @Test func missingFileIsReportedAndOthersStillConvert() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("good.yaml", "good: true\n")
        let result = try await directory.run(["convert", "missing.yaml", "good.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr == "missing.yaml: cannot read: No such file or directory\n")
        #expect(result.stdout == "good: true\n")
    }

    @Test func directoryCannotBeRead() async throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("folder"),
            withIntermediateDirectories: false
        )
        let result = try await directory.run(["convert", "folder"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("folder: cannot read: "))
    }

    @Test func emptyInputWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("empty.yaml", "# nothing here\n")
        for arguments in [["convert"], ["convert", "--to", "json"], ["convert", "empty.yaml"]] {
            let result = try await directory.run(arguments, stdin: "")
            #expect(result.status == 0)
            #expect(result.stdout == "")
            #expect(result.stderr == "")
        }
    }

    @Test(arguments: [
        ["convert", "--to", "xml"],
        ["convert", "--from", "toml", "a.yaml"],
        ["convert", "--bogus"],
        ["convert", "--to"],
        ["frobnicate"],
    ])
    func usageErrorsExitWith64(_ arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(arguments, stdin: "a: 1\n")
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(!result.stderr.isEmpty)
    }

    @Test func helpShowsExamples() async throws {
        let directory = try TemporaryDirectory()
        let result = try await directory.run(["convert", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: giter convert [--from <format>] [--to <format>] [<file> ...]"))
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("FILE:LINE:COLUMN"))
    }
}
