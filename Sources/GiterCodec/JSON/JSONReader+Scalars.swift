extension JSONReader.Parser {
    // MARK: Numbers

    /// Parses `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [-+]? [0-9]+)?` at
    /// `position` and appends it to `tape`, its text kept as written.
    mutating func parseNumber(into tape: inout DocumentTape) throws(CodecError) {
        let start = position
        var index = start
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            guard index < end, isDigit(bytes[index]) else {
                if index < end && bytes[index] == UInt8(ascii: "I") {
                    throw error(.syntax, "-Infinity is not a JSON number; JSON has no infinities", at: start)
                }
                throw expectedDigit("after '-'", at: index)
            }
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end && isDigit(bytes[index]) {
                throw error(.syntax, "leading zeros are not allowed in JSON numbers", at: start)
            }
        } else {
            index = skipDigits(from: index)
        }
        if index < end && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(bytes[index]) else { throw expectedDigit("after '.' in a number", at: index) }
            index = skipDigits(from: index)
        }
        if index < end && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            if index < end && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard index < end, isDigit(bytes[index]) else { throw expectedDigit("in the exponent", at: index) }
            index = skipDigits(from: index)
        }
        if index < end && (isWordByte(bytes[index]) || bytes[index] == UInt8(ascii: ".")) {
            throw error(.syntax, "unexpected \(describeByte(at: index)) in a number", at: index)
        }
        position = index
        tape.appendSlice(.number, at: start, length: index - start, in: bytes)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private func skipDigits(from start: Int) -> Int {
        var index = start
        while index < end && isDigit(bytes[index]) { index += 1 }
        return index
    }

    private func expectedDigit(_ context: String, at index: Int) -> CodecError {
        let found = index < end ? describeByte(at: index) : "end of input"
        return error(.syntax, "expected a digit \(context), found \(found)", at: index)
    }

    // MARK: Literals and unexpected bytes

    private func isWordByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || isDigit(byte) || byte == UInt8(ascii: "_")
    }

    /// Parses `true`, `false` or `null` at `position`, or reports what
    /// stands where a value was expected.
    mutating func parseLiteral() throws(CodecError) -> DocumentTape.Kind {
        let start = position
        var index = start
        while index < end && isWordByte(bytes[index]) { index += 1 }
        let word = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if word.elementsEqual("true".utf8) {
            position = index
            return .true
        }
        if word.elementsEqual("false".utf8) {
            position = index
            return .false
        }
        if word.elementsEqual("null".utf8) {
            position = index
            return .null
        }
        if word.isEmpty { throw unexpectedValueStart() }
        let text = String(decoding: word.prefix(32), as: UTF8.self)
        switch text {
        case "NaN", "Infinity", "inf", "nan":
            throw error(.syntax, "'\(text)' is not a JSON number; JSON has no NaN or infinities")
        case "True", "TRUE", "False", "FALSE", "Null", "NULL", "None", "nil", "undefined":
            throw error(.syntax, "invalid literal '\(text)'; JSON's literals are true, false and null, in lowercase")
        default:
            throw error(.syntax, "unexpected '\(text)'; expected a value (strings must be in double quotes)")
        }
    }

    private func unexpectedValueStart() -> CodecError {
        switch bytes[position] {
        case UInt8(ascii: "'"):
            return error(.syntax, "strings must be in double quotes, not single quotes")
        case UInt8(ascii: "/"), UInt8(ascii: "#"):
            return error(.syntax, "comments are not allowed in JSON")
        case UInt8(ascii: "+"):
            return error(.syntax, "a JSON number cannot start with '+'")
        case UInt8(ascii: "."):
            return error(.syntax, "a JSON number must start with a digit, as in 0.5")
        case 0x80...0xFF where utf8SequenceLength(at: position) == nil:
            return error(
                .invalidEncoding,
                "invalid UTF-8 \(Self.byteDescription(bytes[position])); the input must be UTF-8"
            )
        default:
            return error(.syntax, "unexpected \(describeByte(at: position)); expected a value")
        }
    }

    /// The byte at `index` for a message: `'x'`, `control character U+0001`,
    /// `'é' (U+00E9)` or `byte 0xFF (invalid UTF-8)`.
    func describeByte(at index: Int) -> String {
        let byte = bytes[index]
        switch byte {
        case 0x21..<0x7F:
            return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x20:
            return "a space"
        case 0x00..<0x20, 0x7F:
            return "control character U+\(Self.hex(UInt32(byte)))"
        default:
            guard let length = utf8SequenceLength(at: index),
                let scalar = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]),
                    as: UTF8.self
                )
                .unicodeScalars.first
            else {
                return "\(Self.byteDescription(byte)) (invalid UTF-8)"
            }
            return "'\(Character(scalar))' (U+\(Self.hex(scalar.value)))"
        }
    }
}
