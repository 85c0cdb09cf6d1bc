import Foundation
import Giter
import GiterCodec

/// What `giter status set` changes in a status: fields by dot path
/// (`--set PATH=VALUE`) and conditions (`--condition TYPE=STATUS[:REASON[:MESSAGE]]`).
struct StatusEdit {
    /// One `--set PATH=VALUE`: a dot path inside `status` and a value read as YAML.
    struct Assignment {
        var path: [String]
        var value: Node

        /// The fields Giter maintains, which `--set` cannot write.
        static let maintained: Set<String> = ["observedGeneration", "conditions", "observedSpecDigest"]

        /// Parses `PATH=VALUE`; `VALUE` is one YAML flow value (`3` a
        /// number, `"3"` a string, `[a, b]` a list, `{k: v}` a mapping).
        ///
        /// - Throws: a usage ``ToolError`` saying what is wrong.
        init(parsing argument: String) throws {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ToolError.usage("--set '\(argument)' is not PATH=VALUE; for example --set phase=Done")
            }
            let pathText = argument[..<equals]
            let path = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw ToolError.usage(
                    "--set '\(argument)': '\(pathText)' is not a dot path inside status; for example result.count")
            }
            guard !Self.maintained.contains(path[0]) else {
                throw ToolError.usage(
                    "--set '\(argument)': status.\(path[0]) is written by giter itself"
                        + (path[0] == "conditions" ? "; set conditions with --condition TYPE=STATUS" : ""))
            }
            let text = String(argument[argument.index(after: equals)...])
            do {
                value = try YAMLReader(limits: ParseLimits(maxDepth: 32, maxInputBytes: 1 << 20, maxDocuments: 1))
                    .readDocument(text)
            } catch {
                throw ToolError.usage("--set '\(argument)': the value is not one YAML value: \(error)")
            }
            self.path = path
        }

        /// Sets the value at the path in `fields`, making the mappings on the
        /// way that are missing.
        ///
        /// - Throws: ``ToolError`` when a part of the path holds something
        ///   other than a mapping.
        func apply(to fields: inout Node.Mapping) throws {
            try Self.set(value, at: path[...], in: &fields, walked: "status")
        }

        private static func set(
            _ value: Node, at path: ArraySlice<String>, in mapping: inout Node.Mapping, walked: String
        ) throws {
            let key = path[path.startIndex]
            guard path.count > 1 else {
                mapping[key] = value
                return
            }
            var inner = Node.Mapping()
            if let existing = mapping[key] {
                guard let existingMapping = existing.mapping else {
                    throw ToolError(
                        "\(walked).\(key) is \(existing.kindDescription), not a mapping: "
                            + "it cannot hold \(path.dropFirst().joined(separator: "."))")
                }
                inner = existingMapping
            }
            try set(value, at: path.dropFirst(), in: &inner, walked: "\(walked).\(key)")
            mapping[key] = .mapping(inner)
        }
    }

    /// One `--condition TYPE=STATUS[:REASON[:MESSAGE]]`.
    struct ConditionSetting {
        /// The reason when none is given.
        static let defaultReason = "Manual"

        var type: String
        var status: Condition.Status
        var reason: String
        var message: String

        /// Parses `TYPE=STATUS[:REASON[:MESSAGE]]`; `STATUS` is True, False or
        /// Unknown in any case; the message may hold colons.
        ///
        /// - Throws: a usage ``ToolError`` saying what is wrong.
        init(parsing argument: String) throws {
            let example = "for example --condition Ready=True:Done:all checks passed"
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ToolError.usage("--condition '\(argument)' is not TYPE=STATUS[:REASON[:MESSAGE]]; \(example)")
            }
            type = String(argument[..<equals])
            let parts = argument[argument.index(after: equals)...].split(
                separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard let status = Condition.Status.allCases.first(where: { $0.rawValue.lowercased() == parts[0].lowercased() })
            else {
                throw ToolError.usage(
                    "--condition '\(argument)': the status '\(parts[0])' is not True, False or Unknown; \(example)")
            }
            self.status = status
            reason = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : Self.defaultReason
            message = parts.count > 2 ? String(parts[2]) : ""
        }
    }

    var assignments: [Assignment]
    var conditions: [ConditionSetting]

    /// `status` with the assignments and conditions applied for
    /// `generation`: its `observedGeneration` and the given conditions'
    /// are `generation`; a condition's transition time moves only when its
    /// status flips (`setCondition`). Other conditions keep theirs.
    func applied(to status: DynamicStatus, generation: Int64?, now: Date = .wholeSecondsNow) throws -> DynamicStatus {
        var status = status
        for assignment in assignments { try assignment.apply(to: &status.fields) }
        for setting in conditions {
            status.conditions.setCondition(
                Condition(
                    type: setting.type, status: setting.status, observedGeneration: generation,
                    reason: setting.reason, message: setting.message),
                now: now)
        }
        status.observedGeneration = generation
        return status
    }
}
