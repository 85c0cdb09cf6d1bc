extension JSONReader.Parser {
    /// A string scanned by ``scanString()``.
    struct ScannedString {
        /// The offset of the opening quote: the string's location.
        var opening: Int
        /// Whether the text is in `scratch` (it had escapes) rather than
        /// the input bytes after the opening quote.
        var escaped: Bool
        /// The length of the text in bytes.
        var count: Int
        /// Whether the text has a non-ASCII character.
        var nonASCII: Bool
    }

    /// Scans a string starting at the opening quote at `position`, checking
    /// it fully, and leaves `position` after the closing quote.
    ///
    /// A string without escapes stays in the input; one with escapes is
    /// decoded into `scratch`. UTF-8 is validated while scanning, so invalid
    /// bytes are an error rather than replacement characters.
    mutating func scanString() throws(CodecError) -> ScannedString {
        let opening = position
        let contentStart = position + 1
        var index = contentStart
        var nonASCII = false
        while true {
            index = skipPlainASCII(from: index)
            guard index < end else { throw unterminatedStringError(opening: opening) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return ScannedString(opening: opening, escaped: false, count: index - contentStart, nonASCII: nonASCII)
            } else if byte == UInt8(ascii: "\\") {
                return try scanEscapedString(
                    opening: opening, contentStart: contentStart, firstEscape: index, nonASCII: nonASCII)
            } else if byte >= 0x80 {
                index = try validateUTF8Sequence(at: index)
                nonASCII = true
            } else {
                throw controlCharacterError(byte, at: index)
            }
        }
    }

    /// Scans a string and appends it to `tape`.
    mutating func parseString(into tape: inout DocumentTape) throws(CodecError) -> ScannedString {
        let scanned = try scanString()
        if scanned.escaped {
            tape.appendSide(.sideString, at: scanned.opening, bytes: scratch)
        } else {
            tape.appendLiteral(.jsonString, at: scanned.opening)
        }
        return scanned
    }

    private mutating func scanEscapedString(
        opening: Int,
        contentStart: Int,
        firstEscape: Int,
        nonASCII: Bool
    ) throws(CodecError) -> ScannedString {
        var nonASCII = nonASCII
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<firstEscape]))
        var index = firstEscape
        while true {
            let runEnd = skipPlainASCII(from: index)
            if runEnd > index {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<runEnd]))
                index = runEnd
            }
            guard index < end else { throw unterminatedStringError(opening: opening) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                if !nonASCII { nonASCII = scratch.contains { $0 >= 0x80 } }
                return ScannedString(opening: opening, escaped: true, count: scratch.count, nonASCII: nonASCII)
            } else if byte == UInt8(ascii: "\\") {
                index = try decodeEscape(at: index)
            } else if byte >= 0x80 {
                let next = try validateUTF8Sequence(at: index)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<next]))
                index = next
                nonASCII = true
            } else {
                throw controlCharacterError(byte, at: index)
            }
        }
    }

    /// The offset of the first byte at or after `start` that is not plain
    /// string content (a quote, a backslash, a control character or a
    /// non-ASCII byte), or `end`. Tests eight bytes at a time.
    private func skipPlainASCII(from start: Int) -> Int {
        var index = start
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // A byte's high bit is set where it is a quote, a backslash,
                // below 0x20 or at least 0x80. Borrows can only mark bytes
                // above a marked one, so the lowest mark is exact.
                let special =
                    ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word
                        | word) & high
                if special != 0 { return index + special.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < end {
            let byte = bytes[index]
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        return index
    }

    /// Decodes the escape whose backslash is at `backslash` into `scratch`
    /// and returns the offset after it.
    private mutating func decodeEscape(at backslash: Int) throws(CodecError) -> Int {
        let index = backslash + 1
        guard index < end else {
            throw error(.syntax, "unexpected end of input in an escape sequence", at: backslash)
        }
        let decoded: UInt8
        switch bytes[index] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: backslash)
        default:
            let found =
                bytes[index] >= 0x21 && bytes[index] < 0x7F
                ? "'\\\(Character(Unicode.Scalar(bytes[index])))'" : "'\\' followed by \(describeByte(at: index))"
            throw error(
                .syntax,
                "invalid escape \(found) in string; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                at: backslash
            )
        }
        scratch.append(decoded)
        return index + 1
    }

    /// Decodes `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at `backslash`.
    private mutating func decodeUnicodeEscape(at backslash: Int) throws(CodecError) -> Int {
        let unit = try hexQuad(after: backslash)
        var next = backslash + 6
        let scalarValue: UInt32
        switch unit {
        case 0xD800...0xDBFF:
            guard next + 1 < end, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u") else {
                throw error(
                    .invalidEncoding,
                    "lone surrogate escape \\u\(Self.hex(unit)): a high surrogate must be followed by a "
                        + "low surrogate escape (\\uDC00 to \\uDFFF)",
                    at: backslash
                )
            }
            let low = try hexQuad(after: next)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    .invalidEncoding,
                    "surrogate escape \\u\(Self.hex(unit)) is followed by \\u\(Self.hex(low)), not by a low "
                        + "surrogate (\\uDC00 to \\uDFFF)",
                    at: backslash
                )
            }
            scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw error(
                .invalidEncoding,
                "lone surrogate escape \\u\(Self.hex(unit)): a low surrogate must follow a high surrogate escape",
                at: backslash
            )
        default:
            scalarValue = unit
        }
        GiterCodec.appendUTF8(scalarValue, to: &scratch)
        return next
    }

    /// The value of the four hex digits after `\u` at `backslash`.
    private func hexQuad(after backslash: Int) throws(CodecError) -> UInt32 {
        var value: UInt32 = 0
        for index in (backslash + 2)..<(backslash + 6) {
            guard index < end else {
                throw error(.syntax, "unexpected end of input in a \\u escape", at: backslash)
            }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw error(
                    .syntax,
                    "invalid \\u escape: expected 4 hexadecimal digits, found \(describeByte(at: index))",
                    at: backslash
                )
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }


    // MARK: UTF-8

    /// Checks the multi-byte UTF-8 sequence that starts at `index` and
    /// returns the offset after it. Overlong forms, surrogates and values
    /// past U+10FFFF are errors.
    mutating func validateUTF8Sequence(at index: Int) throws(CodecError) -> Int {
        guard let length = utf8SequenceLength(at: index) else {
            throw error(
                .invalidEncoding,
                "invalid UTF-8 \(Self.byteDescription(bytes[index])); the input must be UTF-8",
                at: index
            )
        }
        continuationBytes += length - 1
        countedThrough = index + length
        return index + length
    }

    /// The length of the valid multi-byte sequence at `index`, or `nil`.
    func utf8SequenceLength(at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard index + length <= end else { return nil }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return nil }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    // MARK: Errors

    private func controlCharacterError(_ byte: UInt8, at index: Int) -> CodecError {
        let hint: String
        switch byte {
        case 0x0A: hint = "; write it as \\n (strings cannot span lines)"
        case 0x0D: hint = "; write it as \\r"
        case 0x09: hint = "; write it as \\t"
        default: hint = "; write it as \\u\(Self.hex(UInt32(byte)))"
        }
        return error(.syntax, "control character U+\(Self.hex(UInt32(byte))) in string\(hint)", at: index)
    }

    private func unterminatedStringError(opening: Int) -> CodecError {
        error(.syntax, "unterminated string: end of input before the closing '\"'", at: opening)
    }

    /// Four uppercase hex digits.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func byteDescription(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (digits.count < 2 ? "0" : "") + digits
    }
}
