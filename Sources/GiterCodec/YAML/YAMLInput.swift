/// YAML input after the checks every parse needs: size, UTF-8 validity,
/// allowed characters, a leading byte order mark skipped and CRLF / CR line
/// breaks turned into LF, with the bookkeeping to report positions in the
/// original bytes.
struct YAMLInput {
    /// The normalised text.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Bytes skipped before `bytes` (a byte order mark).
    let prefixLength: Int
    /// Offsets in `bytes` before which a CR was removed, ascending.
    let removedCarriageReturns: [Int]
    /// The normalised copy `bytes` points into, when line breaks were
    /// normalised (`nil` when `bytes` is the caller's text), so that a
    /// reader can keep it for the nodes it returns.
    var normalized: [UInt8]? = nil

    static func withPrepared<R>(
        _ raw: UnsafeBufferPointer<UInt8>,
        limits: ParseLimits,
        _ body: (YAMLInput) throws -> R
    ) throws -> R {
        guard raw.count <= limits.maxInputBytes else {
            throw CodecError(
                .limitExceeded,
                "the input is \(raw.count) bytes, more than the limit of \(limits.maxInputBytes); "
                    + "raise ParseLimits.maxInputBytes if this is expected"
            )
        }
        guard raw.count < DocumentTape.maxInputBytes else { throw DocumentTape.tooLarge(raw.count) }
        var start = 0
        if raw.count >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF { start = 3 }
        let text = UnsafeBufferPointer(rebasing: raw[start...])
        let hasCarriageReturn = try validate(text, prefixLength: start)
        guard hasCarriageReturn else {
            return try body(YAMLInput(bytes: text, prefixLength: start, removedCarriageReturns: []))
        }
        var normalized = [UInt8]()
        normalized.reserveCapacity(text.count)
        var removed = [Int]()
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == 0x0D {
                removed.append(normalized.count)
                if index + 1 < text.count, text[index + 1] == 0x0A {
                    index += 1
                    continue
                }
                normalized.append(0x0A)
                // A lone CR became LF: nothing was removed.
                removed.removeLast()
            } else {
                normalized.append(byte)
            }
            index += 1
        }
        return try normalized.withUnsafeBufferPointer {
            try body(YAMLInput(bytes: $0, prefixLength: start, removedCarriageReturns: removed, normalized: normalized))
        }
    }

    /// Checks UTF-8 and YAML's printable character set; returns whether a CR was seen.
    private static func validate(_ text: UnsafeBufferPointer<UInt8>, prefixLength: Int) throws -> Bool {
        var sawCarriageReturn = false
        var index = 0
        let count = text.count
        func fail(_ message: String, _ at: Int) -> CodecError {
            let location = YAMLInput(bytes: text, prefixLength: prefixLength, removedCarriageReturns: [])
                .location(of: at)
            return CodecError(.invalidEncoding, message, at: location)
        }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(text.baseAddress)
        while index < count {
            // Fast path: eight printable ASCII bytes (0x20...0x7E) at once.
            if let raw, index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let nonASCII = word & highBits
                let below20 = (word &- ones &* 0x20) & ~word & highBits
                let isDelete = (word &+ ones) & highBits
                if nonASCII | below20 | isDelete == 0 {
                    index += 8
                    continue
                }
            }
            let byte = text[index]
            if byte < 0x80 {
                if byte >= 0x20 && byte != 0x7F || byte == 0x0A || byte == 0x09 {
                    index += 1
                    continue
                }
                if byte == 0x0D {
                    sawCarriageReturn = true
                    index += 1
                    continue
                }
                throw fail(
                    "control character U+\(hex(UInt32(byte))) is not allowed in YAML text; "
                        + "write it as an escape in a double-quoted string",
                    index
                )
            }
            var scalar: UInt32
            var length: Int
            if byte & 0xE0 == 0xC0 {
                scalar = UInt32(byte & 0x1F)
                length = 2
            } else if byte & 0xF0 == 0xE0 {
                scalar = UInt32(byte & 0x0F)
                length = 3
            } else if byte & 0xF8 == 0xF0 {
                scalar = UInt32(byte & 0x07)
                length = 4
            } else {
                throw fail("invalid UTF-8 byte 0x\(String(byte, radix: 16, uppercase: true)); the file must be UTF-8 encoded", index)
            }
            guard index + length <= count else { throw fail("truncated UTF-8 sequence at the end of the input", index) }
            for offset in 1..<length {
                let continuation = text[index + offset]
                guard continuation & 0xC0 == 0x80 else {
                    throw fail("invalid UTF-8 sequence; the file must be UTF-8 encoded", index)
                }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw fail("invalid UTF-8 sequence; the file must be UTF-8 encoded", index)
            }
            if scalar < 0xA0 && scalar != 0x85 || scalar == 0xFFFE || scalar == 0xFFFF {
                throw fail(
                    "character U+\(hex(scalar)) is not allowed in YAML text; write it as an escape in a double-quoted string",
                    index
                )
            }
            index += length
        }
        return sawCarriageReturn
    }

    /// The offset in the caller's original bytes of `offset` in ``bytes``.
    func originalOffset(_ offset: Int) -> Int {
        guard !removedCarriageReturns.isEmpty else { return offset + prefixLength }
        var low = 0
        var high = removedCarriageReturns.count
        while low < high {
            let mid = (low + high) / 2
            if removedCarriageReturns[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return offset + prefixLength + low
    }

    /// The location of `offset` when the start of its line is known.
    func location(of offset: Int, line: Int, lineStart: Int) -> SourceLocation {
        var column = 1
        var index = lineStart
        while index < offset {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourceLocation(line: line, column: column, offset: originalOffset(offset))
    }

    /// The location of `offset`, found by counting lines from the start.
    func location(of offset: Int) -> SourceLocation {
        var line = 1
        var lineStart = 0
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            if bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        return location(of: min(offset, bytes.count), line: line, lineStart: lineStart)
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
