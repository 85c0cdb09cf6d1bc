// libFuzzer harness: the splice on arbitrary bytes taken as a resource file.

import GiterCodec

/// Splices the input as the store does: replaces `status` (a consumer's
/// write), adds a key the file may not have, and removes `status` (what the
/// contract check compares), each with YAMLSplice and the store's limits.
///
/// A splice reads its result back and throws rather than return damaged
/// text, so errors are expected; a crash, a trap, a hang or unbounded memory
/// is a finding. A status that is written is checked once more here: the
/// result must read as one document holding it, or the harness traps.
enum YAMLSpliceHarness {
    /// The store's limits (the defaults).
    static let limits = ParseLimits.default

    /// The status a consumer writes: a mapping with a list of conditions and
    /// a message that needs quoting.
    static let status: Node = [
        "observedGeneration": 3,
        "conditions": [
            ["type": "Ready", "status": "True", "reason": "Done", "message": "a: b # not a comment\nsecond line"]
        ],
    ]

    /// Runs the harness on one input; always returns 0.
    static func run(_ bytes: [UInt8]) -> CInt {
        let splice = YAMLSplice(limits: limits)
        if let written = try? splice.replacingValue(ofTopLevelKey: "status", in: bytes, with: status) {
            guard let documents = try? YAMLReader(limits: limits).read(written), documents.count == 1,
                documents[0]["status"] == status
            else {
                fatalError("a splice returned text that does not read as one document with the status written")
            }
        }
        _ = try? splice.replacingValue(ofTopLevelKey: "giter-fuzz", in: bytes, with: ["added": [1, "two", nil]])
        _ = try? splice.replacingValue(ofTopLevelKey: "status", in: bytes, with: nil)
        return 0
    }
}
