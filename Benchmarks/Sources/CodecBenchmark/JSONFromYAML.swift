import Yams

/// Turns YAML text into compact JSON text with the same content and the same
/// key order, through Yams's node tree (Yams is the reference reader here).
/// Foundation's JSONEncoder would reorder keys at random on Linux, making the
/// JSON document differ from run to run.
enum JSONFromYAML {
    enum Failure: Error, CustomStringConvertible {
        case unsupported(String)
        var description: String {
            switch self {
            case .unsupported(let what): "cannot turn YAML into JSON: \(what)"
            }
        }
    }

    static func convert(_ yaml: String) throws -> String {
        guard let root = try Yams.compose(yaml: yaml) else { throw Failure.unsupported("empty document") }
        var output = ""
        output.reserveCapacity(yaml.utf8.count)
        try write(root, to: &output)
        return output
    }

    private static func write(_ node: Yams.Node, to output: inout String) throws {
        switch node {
        case .mapping(let mapping):
            output += "{"
            for (index, pair) in mapping.enumerated() {
                if index > 0 { output += "," }
                guard let key = pair.key.string else { throw Failure.unsupported("non-string key") }
                writeString(key, to: &output)
                output += ":"
                try write(pair.value, to: &output)
            }
            output += "}"
        case .sequence(let sequence):
            output += "["
            for (index, element) in sequence.enumerated() {
                if index > 0 { output += "," }
                try write(element, to: &output)
            }
            output += "]"
        case .scalar(let scalar):
            // Plain scalars are typed the way Yams's resolver types them; quoted ones are strings.
            if scalar.style != .plain {
                writeString(scalar.string, to: &output)
            } else if node.null != nil {
                output += "null"
            } else if let value = node.bool {
                output += value ? "true" : "false"
            } else if let value = node.int {
                output += String(value)
            } else if let value = node.float {
                guard value.isFinite else { throw Failure.unsupported("float \(scalar.string)") }
                output += String(value)
            } else {
                writeString(scalar.string, to: &output)
            }
        case .alias:
            throw Failure.unsupported("alias")
        }
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
