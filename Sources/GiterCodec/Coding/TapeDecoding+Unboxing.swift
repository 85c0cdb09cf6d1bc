#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Reading scalars off the tape.
extension TapeDecoding {
    func unboxBool(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        switch tape.kind(value) {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, "Bool", value, path())
        }
    }

    func unboxString(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard tape.isStringValue(value) else { throw mismatch(String.self, "String", value, path()) }
        return tape.string(value)
    }

    func unboxInteger<I: FixedWidthInteger>(
        _ value: Int,
        as type: I.Type,
        path: @autoclosure () -> [any CodingKey]
    ) throws -> I {
        guard tape.isNumber(value) else { throw mismatch(I.self, "\(I.self)", value, path()) }
        if let integer = tape.withBytes(value, { Self.decimalInteger($0, as: I.self) }) { return integer }
        let number = Node.Number(validated: tape.string(value))
        if let integer = number.integer(as: I.self) { return integer }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Number \(number.text) does not fit in \(I.self)\(location(value).messageSuffix)"
            )
        )
    }

    func unboxFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: Int,
        as type: F.Type,
        path: @autoclosure () -> [any CodingKey]
    ) throws -> F {
        guard tape.isNumber(value) else { throw mismatch(F.self, "\(F.self)", value, path()) }
        if F.self == Double.self, let double = tape.withBytes(value, Self.shortDecimal) { return F(double) }
        let number = Node.Number(validated: tape.string(value))
        let result = number.floatingPoint(as: F.self)
        // An infinity is only right when the text says so; otherwise the
        // number is too large for the type.
        if result.isInfinite, !number.text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "i") }) {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: path(),
                    debugDescription: "Number \(number.text) does not fit in \(F.self)\(location(value).messageSuffix)"
                )
            )
        }
        return result
    }

    func unboxDate(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> Date {
        let text = try unboxString(value, path: path())
        if let date = RFC3339.date(from: text) { return date }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected an RFC 3339 date such as 2024-05-01T12:30:00Z but found \"\(text)\""
                    + location(value).messageSuffix
            )
        )
    }

    func unboxData(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> Data {
        let text = try unboxString(value, path: path())
        if let data = Data(base64Encoded: text) { return data }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected base64-encoded data\(location(value).messageSuffix)"
            )
        )
    }

    func unboxURL(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> URL {
        let text = try unboxString(value, path: path())
        if let url = URL(string: text) { return url }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Expected a URL but found \"\(text)\"\(location(value).messageSuffix)"
            )
        )
    }

    func unboxDecimal(_ value: Int, path: @autoclosure () -> [any CodingKey]) throws -> Decimal {
        guard tape.isNumber(value) else { throw mismatch(Decimal.self, "Decimal", value, path()) }
        let number = Node.Number(validated: tape.string(value))
        if let text = number.jsonText, let decimal = Decimal(string: text) { return decimal }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(
                codingPath: path(),
                debugDescription: "Number \(number.text) does not fit in Decimal\(location(value).messageSuffix)"
            )
        )
    }

    /// The integer in a plain decimal text (`-12`, `+3`, `007`), or `nil`
    /// when the text has another form or the value does not fit; the caller
    /// then falls back to ``Node/Number/integer(as:)``.
    static func decimalInteger<I: FixedWidthInteger>(_ text: UnsafeBufferPointer<UInt8>, as type: I.Type) -> I? {
        guard !text.isEmpty else { return nil }
        var index = 0
        var negative = false
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") {
            negative = text[0] == UInt8(ascii: "-")
            index = 1
            guard text.count > 1 else { return nil }
        }
        var value: I = 0
        while index < text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) =
                negative
                ? shifted.subtractingReportingOverflow(I(digit)) : shifted.addingReportingOverflow(I(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = added
            index += 1
        }
        return value
    }

    /// The value of a short plain decimal (`8080`, `-2.5`, `0.75`: an
    /// optional minus, digits, and optionally a dot and digits, at most 15
    /// digits in all), or `nil` when the text has another form; the caller
    /// then falls back to ``Node/Number/floatingPoint(as:)``, which makes a
    /// `String` and calls `strtod`. The result is the same: the digits as an
    /// integer and the power of ten are both exact doubles (below 2⁵³), so
    /// their quotient is one correctly rounded operation (Clinger's fast
    /// path), as `strtod` rounds.
    static func shortDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        var negative = false
        if !text.isEmpty && text[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var digits: UInt64 = 0
        var digitCount = 0
        var fractionCount = 0
        var sawDot = false
        while index < text.count {
            let byte = text[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                digits = digits &* 10 &+ UInt64(digit)
                digitCount += 1
                if sawDot { fractionCount += 1 }
            } else if byte == UInt8(ascii: "."), !sawDot, digitCount > 0 {
                sawDot = true
            } else {
                return nil
            }
            index += 1
        }
        guard digitCount > 0, digitCount <= 15, !sawDot || fractionCount > 0 else { return nil }
        var scale = 1.0
        for _ in 0..<fractionCount { scale *= 10 }  // exact: 10^15 < 2^53
        let magnitude = Double(digits) / scale
        return negative ? -magnitude : magnitude
    }

    // MARK: Errors

    /// The error for a value of the wrong kind: `valueNotFound` for null,
    /// `typeMismatch` otherwise.
    func mismatch(_ type: Any.Type, _ expected: String, _ value: Int, _ path: [any CodingKey]) -> DecodingError {
        let isNull = tape.kind(value) == .null
        let found = isNull ? "null" : tape.kindDescription(value)
        let context = DecodingError.Context(
            codingPath: path,
            debugDescription: "Expected \(expected) but found \(found)\(location(value).messageSuffix)"
        )
        return isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }
}
