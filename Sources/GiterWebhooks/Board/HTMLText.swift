/// Text made safe to put in HTML: in element content and in quoted
/// attribute values alike.
enum HTMLText {
    /// `text` with `& < > " '` as character references, and every control
    /// character but tab, line feed and carriage return (which HTML cannot
    /// carry), and every noncharacter, as U+FFFD.
    static func escape(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                let control = value < 0x20 || (0x7F...0x9F).contains(value)
                let noncharacter = (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
                result.unicodeScalars.append(control || noncharacter ? "\u{FFFD}" : scalar)
            }
        }
        return result
    }

    /// A path segment percent-encoded: only unreserved characters
    /// (`A–Z a–z 0–9 - . _ ~`) are kept as they are.
    static func pathSegment(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// At most `limit` bytes of `text`, cut at a character boundary, and
    /// whether it was cut.
    static func prefix(_ text: String, bytes limit: Int) -> (text: String, cut: Bool) {
        guard text.utf8.count > limit else { return (text, false) }
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            guard count + size <= limit else { break }
            count += size
            end = text.index(after: index)
        }
        return (String(text[..<end]), true)
    }
}
