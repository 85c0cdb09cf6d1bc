#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 as OpenSSH writes it: standard alphabet, padded, and in armor
/// wrapped at 70 columns.
enum SSHBase64 {
    /// The bytes `text` encodes; nil unless it is strict, padded base64.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard let data = Data(base64Encoded: String(text)) else { return nil }
        return [UInt8](data)
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// `bytes` in base64, in lines of at most `width` characters (no final newline).
    static func wrapped(_ bytes: [UInt8], width: Int = 70) -> [String] {
        let text = Array(encode(bytes).utf8)
        return stride(from: 0, to: text.count, by: width).map { start in
            String(decoding: text[start..<min(start + width, text.count)], as: UTF8.self)
        }
    }

    /// The base64 body between `begin` and `end` armor lines in `text`, decoded.
    ///
    /// Blank lines around the armor and `\r` line ends are allowed; anything
    /// else before the begin line or after the end line is not. Throws
    /// `code` naming `subject` when the armor or the base64 is malformed.
    static func dearmor(
        _ text: String, begin: String, end: String, code: SigningError.Code, subject: String
    ) throws(SigningError) -> [UInt8] {
        // Character("\r\n") is one grapheme: split on both line ends.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.trimmingSuffix { $0.isWhitespace } }
        guard let first = lines.firstIndex(where: { !$0.isEmpty }), lines[first] == begin else {
            throw SigningError(code, "\(subject) does not start with \(begin)")
        }
        guard let last = lines.lastIndex(where: { !$0.isEmpty }), last > first, lines[last] == end else {
            throw SigningError(code, "\(subject) does not end with \(end)")
        }
        let body = lines[(first + 1)..<last].joined()
        guard !body.isEmpty, let bytes = decode(body) else {
            throw SigningError(code, "\(subject) does not hold valid base64 between its armor lines")
        }
        return bytes
    }
}

extension Substring {
    /// The substring without the trailing characters that match `predicate`.
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
