import Foundation

// CodecBenchmark: Giter's YAML/JSON codec against Foundation and Yams.
// See Documentation/Performance.md for what is measured and how.

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == PeakMemoryProbe.flag {
        guard arguments.count == 3 else {
            throw BenchmarkError.usage("\(PeakMemoryProbe.flag) OPERATION DOCUMENT")
        }
        try PeakMemoryProbe.runChild(operationID: arguments[1], documentName: arguments[2])
    } else if arguments.first == "--dump" {
        // Prints a benchmark document, e.g. `--dump 1m yaml`.
        guard arguments.count == 3, arguments[2] == "yaml" || arguments[2] == "json" else {
            throw BenchmarkError.usage("--dump DOCUMENT yaml|json")
        }
        let document = try Documents.make(named: arguments[1], decodeYAML: referenceDecode)
        print(arguments[2] == "yaml" ? document.yamlText : document.jsonText, terminator: "")
    } else if arguments.contains("--help") || arguments.contains("-h") {
        print(BenchmarkOptions.usage)
    } else {
        let options = try BenchmarkOptions(arguments: arguments)
        let report = try Benchmark(options: options).run()
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Table.render(report))
        }
    }
} catch {
    FileHandle.standardError.write(Data("CodecBenchmark: \(error)\n".utf8))
    exit(2)
}
