import GiterCodec

/// An input shape: the form of text whose size grows, everything else fixed.
///
/// Every shape is a resource file (or several) of a kind of its own, with
/// the growing part in `spec` and a small `status`, so that every path —
/// the readers, the decoder, the encoder, the splice and the contract
/// check — reads the same text.
enum Shape: String, CaseIterable, Sendable {
    /// `spec` is a block mapping of many keys.
    case blockKeys = "block-keys"
    /// `spec` is a flow mapping of many keys, on one line.
    case flowKeys = "flow-keys"
    /// `spec.items` is a block sequence of many small mappings.
    case sequence
    /// `spec.text` is one double-quoted string with escapes.
    case string
    /// `spec.text` is one literal block scalar of many lines.
    case blockScalar = "block-scalar"
    /// A stream of many small resource documents (the YAML reader and
    /// `decodeAll` read several; JSON as JSON Lines).
    case documents
    /// `spec.trees` holds trees of block mappings nested to the depth limit
    /// (one space of indentation per level).
    case nestBlock = "nest-block"
    /// `spec.trees` holds trees of flow mappings nested to the depth limit.
    case nestFlow = "nest-flow"
    /// Many small resource files (the store's and the contract's case).
    case files

    /// The kind of the shape's resources; each has a definition in the contract.
    var kind: String {
        switch self {
        case .blockKeys: "BlockKeys"
        case .flowKeys: "FlowKeys"
        case .sequence: "Sequence"
        case .string: "LongString"
        case .blockScalar: "BlockScalar"
        case .documents, .files: "Item"
        case .nestBlock: "NestBlock"
        case .nestFlow: "NestFlow"
        }
    }

    /// Mappings in one tree of the nesting shapes: the root mapping, `spec`
    /// and `spec.trees` take three levels of ``ParseLimits/maxDepth``, the
    /// trees take the rest, so the innermost mapping sits exactly at the limit.
    static let treeLevels = ParseLimits.default.maxDepth - 3

    static let apiVersion = "linear.giter.dev/v1"
    static let namespace = "bench"
    static let statusText = "status:\n  observedGeneration: 1\n  phase: Running\n"

    static func header(kind: String, name: String) -> String {
        "apiVersion: \(apiVersion)\nkind: \(kind)\nmetadata:\n  name: \(name)\n  namespace: \(namespace)\n  generation: 1\n"
    }

    /// The YAML file(s) of this shape, each about `targetBytes` in all, with
    /// or without their status. Deterministic.
    func yamlFiles(targetBytes: Int, withStatus: Bool = true) -> [String] {
        let status = withStatus ? Self.statusText : ""
        switch self {
        case .documents:
            var text = ""
            text.reserveCapacity(targetBytes + 256)
            var index = 0
            while text.utf8.count < targetBytes {
                text += "---\n" + Self.smallResource(index, status: status)
                index += 1
            }
            return [text]
        case .files:
            var files: [String] = []
            var total = 0
            while total < targetBytes {
                let file = Self.smallResource(files.count, status: status)
                total += file.utf8.count
                files.append(file)
            }
            return files
        default:
            let head = Self.header(kind: kind, name: "shape") + specOpening
            var body = ""
            body.reserveCapacity(targetBytes + 16 * 1024)
            var index = 0
            while head.utf8.count + body.utf8.count + specClosing.utf8.count + status.utf8.count < targetBytes {
                body += unit(index)
                index += 1
            }
            return [head + body + specClosing + status]
        }
    }

    /// One small resource of the documents and files shapes (about 200 bytes).
    static func smallResource(_ index: Int, status: String) -> String {
        header(kind: "Item", name: "item-\(index)") + "spec:\n  name: item \(index) of the batch\n  port: \(index % 65_536)\n"
            + status
    }

    private var specOpening: String {
        switch self {
        case .blockKeys: "spec:\n"
        case .flowKeys: "spec: {"
        case .sequence: "spec:\n  items:\n"
        case .string: "spec:\n  text: \""
        case .blockScalar: "spec:\n  text: |\n"
        case .nestBlock, .nestFlow: "spec:\n  trees:\n"
        case .documents, .files: ""
        }
    }

    private var specClosing: String {
        switch self {
        case .flowKeys: "last: 0}\n"
        case .string: "end\"\n"
        default: ""
        }
    }

    /// The growing part: one unit of the spec.
    private func unit(_ index: Int) -> String {
        switch self {
        case .blockKeys:
            return "  key-\(index): value \(index)\n"
        case .flowKeys:
            return "key-\(index): \(index), "
        case .sequence:
            return "  - name: item-\(index)\n    port: \(index % 65_536)\n"
        case .string:
            return "word \(index) \\t\\\"quoted\\\" caf\\u00e9 "
        case .blockScalar:
            return "    line \(index) of the literal block, kept as written: # not a comment\n"
        case .nestBlock:
            // "  - c:" puts the first mapping at column 5; each level one column further.
            var text = "  - c:\n"
            for level in 1..<(Self.treeLevels - 1) {
                text += String(repeating: " ", count: 4 + level) + "c:\n"
            }
            return text + String(repeating: " ", count: 4 + Self.treeLevels - 1) + "v: \(index)\n"
        case .nestFlow:
            return "  - " + String(repeating: "{c: ", count: Self.treeLevels - 1) + "{v: \(index)}"
                + String(repeating: "}", count: Self.treeLevels - 1) + "\n"
        case .documents, .files:
            return ""
        }
    }
}
