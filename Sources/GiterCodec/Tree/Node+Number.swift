extension Node {
    /// A number, kept as the text it was written with so that no precision
    /// is lost between reading and decoding.
    ///
    /// The text follows the YAML 1.2 core schema, a superset of JSON's
    /// number grammar: decimal integers (`-12`, `+3`), `0o17` and `0x1F`,
    /// decimal floats (`1.5`, `.5`, `1.`, `6.02e23`) and `.inf`, `-.inf`,
    /// `.nan`. Two numbers are equal when their texts are; compare
    /// ``doubleValue`` or ``integer(as:)`` for numeric equality.
    public struct Number: Sendable, Hashable, CustomStringConvertible {
        /// The number as written.
        public let text: String

        /// A number from its text; `nil` when the text is not a YAML 1.2
        /// core-schema number.
        public init?(_ text: String) {
            guard Number.isCoreNumber(Array(text.utf8)[...]) else { return nil }
            self.text = text
        }

        /// A number whose text the caller has already validated.
        init(validated text: String) { self.text = text }

        /// An integer.
        public init(_ value: some BinaryInteger) { self.text = String(value) }

        /// A floating-point value in its shortest round-tripping form, always
        /// with a fraction dot and a signed exponent when there is one
        /// (`1.0`, `0.1`, `1.0e+16`) so that every YAML 1.1 and 1.2 reader
        /// and every JSON reader reads a float back. Infinities and NaN are
        /// `.inf`, `-.inf` and `.nan`.
        public init<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) {
            if value.isNaN {
                text = ".nan"
            } else if value.isInfinite {
                text = value < 0 ? "-.inf" : ".inf"
            } else {
                var digits = value.description
                if !digits.contains(".") {
                    if let e = digits.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                        digits.insert(contentsOf: ".0", at: e)
                    } else {
                        digits += ".0"
                    }
                }
                text = digits
            }
        }

        public var description: String { text }

        /// Whether the text is an integer (decimal, octal or hexadecimal).
        public var isInteger: Bool { Number.integerForm(text.utf8) != nil }

        /// The value as a `Double` (`.inf` and `.nan` included). Integers too
        /// large for a `Double` round to the nearest value, as JSON readers do.
        public var doubleValue: Double { floatingPoint(as: Double.self) }

        /// The value as the requested floating-point type.
        public func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(as type: F.Type) -> F {
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return F.infinity
            case "-.inf", "-.Inf", "-.INF": return -F.infinity
            case ".nan", ".NaN", ".NAN": return F.nan
            default: break
            }
            if let (negative, radix, digits) = Number.integerForm(text.utf8), radix != 10 {
                let magnitude = F(UInt64(String(decoding: digits, as: UTF8.self), radix: radix) ?? UInt64.max)
                return negative ? -magnitude : magnitude
            }
            var normalized = text
            if normalized.hasPrefix("+") { normalized.removeFirst() }
            if normalized.hasPrefix(".") || normalized.hasPrefix("-.") {
                normalized = normalized.replacingFirstDot(with: "0.")
            }
            return F(normalized) ?? F(Double(normalized) ?? .nan)
        }

        /// The value as the requested integer type, or `nil` when it is not
        /// an integer or does not fit. A float with an exact integral value
        /// (`1.0`, `2e3`) converts too, as with Foundation's JSON decoding.
        public func integer<I: FixedWidthInteger>(as type: I.Type) -> I? {
            if let (negative, radix, digits) = Number.integerForm(text.utf8) {
                // Accumulate negatively so that I.min fits.
                var value: I = 0
                for digit in digits {
                    let digitValue: I
                    switch digit {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): digitValue = I(digit - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): digitValue = I(digit - UInt8(ascii: "a") + 10)
                    default: digitValue = I(digit - UInt8(ascii: "A") + 10)
                    }
                    let (shifted, overflow) = value.multipliedReportingOverflow(by: I(radix))
                    let (next, overflow2) =
                        negative ? shifted.subtractingReportingOverflow(digitValue) : shifted.addingReportingOverflow(digitValue)
                    if overflow || overflow2 { return nil }
                    value = next
                }
                return value
            }
            let double = doubleValue
            guard double.isFinite, double.rounded(.towardZero) == double, abs(double) < 0x1p63 else { return nil }
            return I(exactly: double)
        }

        /// The number in JSON's grammar, or `nil` for infinities and NaN.
        /// Text already in JSON's grammar is returned unchanged (`-0`,
        /// `1e400`); otherwise octal and hexadecimal integers become decimal
        /// and `+`, leading zeros, a leading or trailing fraction dot are
        /// normalised.
        public var jsonText: String? {
            let bytes = Array(text.utf8)[...]
            if Number.isJSONNumber(bytes) { return text }
            if let (negative, radix, digits) = Number.integerForm(bytes) {
                let magnitude: String
                if radix == 10 {
                    let trimmed = digits.drop { $0 == UInt8(ascii: "0") }
                    magnitude = trimmed.isEmpty ? "0" : String(decoding: trimmed, as: UTF8.self)
                } else if let value = UInt64(String(decoding: digits, as: UTF8.self), radix: radix) {
                    magnitude = String(value)
                } else {
                    return Number(floatingPoint(as: Double.self)).jsonText
                }
                return (negative && magnitude != "0" ? "-" : "") + magnitude
            }
            guard doubleValue.isFinite else { return nil }
            // Decimal float: [-+]? (digits)? (. digits?)? (e [-+]? digits)?
            var rest = bytes
            var negative = false
            if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                negative = first == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            let intDigits = rest.prefix { Number.isDigit($0) }
            rest = rest.dropFirst(intDigits.count)
            var fraction = ArraySlice<UInt8>()
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                fraction = rest.prefix { Number.isDigit($0) }
                rest = rest.dropFirst(fraction.count)
            }
            var integerPart = intDigits.drop { $0 == UInt8(ascii: "0") }
            if integerPart.isEmpty { integerPart = [UInt8(ascii: "0")][...] }
            var result = negative ? "-" : ""
            result += String(decoding: integerPart, as: UTF8.self)
            if !fraction.isEmpty { result += "." + String(decoding: fraction, as: UTF8.self) }
            if !rest.isEmpty {
                // Exponent: e [-+]? digits
                result += "e" + String(decoding: rest.dropFirst(), as: UTF8.self)
            }
            return result
        }

        /// The number in a form that YAML 1.1 readers (PyYAML) and YAML 1.2
        /// readers (go-yaml, Giter) all read back as the same number: decimal
        /// integers without leading zeros, floats with a fraction dot and a
        /// signed exponent, `.inf`, `-.inf`, `.nan`.
        public var yamlText: String {
            guard let json = jsonText else {
                let value = doubleValue
                return value.isNaN ? ".nan" : value < 0 ? "-.inf" : ".inf"
            }
            if isInteger { return json }
            var result = json
            if let e = result.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                var exponent = String(result[result.index(after: e)...])
                var mantissa = String(result[..<e])
                if !mantissa.contains(".") { mantissa += ".0" }
                if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
                result = mantissa + "e" + exponent
            } else if !result.contains(".") {
                result += ".0"
            }
            return result
        }

        // MARK: Grammar

        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
        }

        /// Splits an integer text into sign, radix and digits; `nil` if not an integer.
        static func integerForm<Bytes: Collection<UInt8>>(
            _ bytes: Bytes
        ) -> (negative: Bool, radix: Int, digits: Bytes.SubSequence)? {
            var rest = bytes[...]
            if rest.count > 2, rest.first == UInt8(ascii: "0") {
                let marker = rest[rest.index(after: rest.startIndex)]
                if marker == UInt8(ascii: "o") {
                    let digits = rest.dropFirst(2)
                    return digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
                        ? (false, 8, digits) : nil
                }
                if marker == UInt8(ascii: "x") {
                    let digits = rest.dropFirst(2)
                    return digits.allSatisfy(isHexDigit) ? (false, 16, digits) : nil
                }
            }
            var negative = false
            if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                negative = first == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.allSatisfy(isDigit) else { return nil }
            return (negative, 10, rest)
        }

        /// Whether `bytes` follows JSON's number grammar (RFC 8259):
        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [-+]? [0-9]+)?`.
        static func isJSONNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
            var rest = bytes[...]
            if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
            let integer = rest.prefix(while: isDigit)
            guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { return false }
            rest = rest.dropFirst(integer.count)
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                let fraction = rest.prefix(while: isDigit)
                guard !fraction.isEmpty else { return false }
                rest = rest.dropFirst(fraction.count)
            }
            if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                rest = rest.dropFirst()
                if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
                let exponent = rest.prefix(while: isDigit)
                guard !exponent.isEmpty else { return false }
                rest = rest.dropFirst(exponent.count)
            }
            return rest.isEmpty
        }

        /// Whether `bytes` is a number in the YAML 1.2 core schema.
        static func isCoreNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
            if integerForm(bytes) != nil { return true }
            var rest = bytes[...]
            if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                rest = rest.dropFirst()
            }
            switch String(decoding: rest, as: UTF8.self) {
            case ".inf", ".Inf", ".INF": return true
            case ".nan", ".NaN", ".NAN": return rest.count == bytes.count
            default: break
            }
            // (\.[0-9]+ | [0-9]+(\.[0-9]*)?) ([eE][-+]?[0-9]+)?
            let intDigits = rest.prefix(while: isDigit)
            rest = rest.dropFirst(intDigits.count)
            var fractionDigits = 0
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                let fraction = rest.prefix(while: isDigit)
                fractionDigits = fraction.count
                rest = rest.dropFirst(fraction.count)
            }
            if intDigits.isEmpty && fractionDigits == 0 { return false }
            if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                rest = rest.dropFirst()
                if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                    rest = rest.dropFirst()
                }
                let exponent = rest.prefix(while: isDigit)
                if exponent.isEmpty { return false }
                rest = rest.dropFirst(exponent.count)
            }
            return rest.isEmpty
        }
    }
}

extension String {
    fileprivate func replacingFirstDot(with replacement: String) -> String {
        guard let dot = firstIndex(of: ".") else { return self }
        return self[..<dot] + replacement + self[index(after: dot)...]
    }
}
