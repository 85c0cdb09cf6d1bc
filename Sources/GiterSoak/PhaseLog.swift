import Foundation

/// The lines a soak child writes on its standard output, read by the
/// driver: one `write(2)` each, so that a line is whole even when the
/// process is killed right after.
///
/// ```
/// phase fetch begin
/// phase fetch end
/// ack 12 apply p1-3 4 9c0f3e1d2a4b5c6d 4
/// ```
enum PhaseLog {
    /// A Git operation whose begin and end the children announce.
    enum Phase: String, Sendable, CaseIterable {
        case fetch, commit, push
    }

    /// Writes `phase <phase> begin|end`.
    static func phase(_ phase: Phase, begin: Bool) {
        line("phase \(phase.rawValue) \(begin ? "begin" : "end")")
    }

    /// Writes one line to standard output at once, unbuffered.
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
