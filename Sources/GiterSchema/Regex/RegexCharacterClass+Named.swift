/// The classes a pattern can name: Perl (`\d`), POSIX (`[:alpha:]`) and Unicode general categories
/// (`\p{Lu}`). Perl and POSIX classes are ASCII-only, as in RE2.
extension RegexCharacterClass {
    /// `\d`, `\s`, `\w` and their negations `\D`, `\S`, `\W`; nil for any other letter.
    static func perl(_ letter: Unicode.Scalar) -> RegexCharacterClass? {
        let ranges: [ClosedRange<UInt32>]
        switch letter {
        case "d", "D": ranges = [0x30...0x39]
        case "s", "S": ranges = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
        case "w", "W": ranges = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        default: return nil
        }
        return RegexCharacterClass(ranges: ranges, isNegated: letter.properties.isUppercase)
    }

    /// A POSIX class by name (`alpha`, without the brackets and colons); nil for an unknown name.
    static func posix(_ name: String) -> RegexCharacterClass? {
        let ranges: [ClosedRange<UInt32>]
        switch name {
        case "alnum": ranges = [0x30...0x39, 0x41...0x5A, 0x61...0x7A]
        case "alpha": ranges = [0x41...0x5A, 0x61...0x7A]
        case "ascii": ranges = [0x00...0x7F]
        case "blank": ranges = [0x09...0x09, 0x20...0x20]
        case "cntrl": ranges = [0x00...0x1F, 0x7F...0x7F]
        case "digit": ranges = [0x30...0x39]
        case "graph": ranges = [0x21...0x7E]
        case "lower": ranges = [0x61...0x7A]
        case "print": ranges = [0x20...0x7E]
        case "punct": ranges = [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]
        case "space": ranges = [0x09...0x0D, 0x20...0x20]
        case "upper": ranges = [0x41...0x5A]
        case "word": ranges = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        case "xdigit": ranges = [0x30...0x39, 0x41...0x46, 0x61...0x66]
        default: return nil
        }
        return RegexCharacterClass(ranges: ranges)
    }

    /// A Unicode general category by its one- or two-letter name (`L`, `Lu`, `Nd`), or `Any`; nil for
    /// any other name (scripts such as `Greek` are not supported).
    static func unicode(_ name: String, negated: Bool) -> RegexCharacterClass? {
        var result = RegexCharacterClass()
        if name == "Any" {
            result.add(0...maximumScalar)
            result.isNegated = negated
            return result
        }
        guard let members = generalCategories[name] else { return nil }
        result.add(CategoryGroup(members: members, isNegated: negated))
        return result
    }

    /// The general categories by name. `C` is `Cc Cf Co Cs`, as in Go's `unicode.C`.
    private static let generalCategories: [String: Set<Unicode.GeneralCategory>] = {
        let named: [String: Unicode.GeneralCategory] = [
            "Lu": .uppercaseLetter, "Ll": .lowercaseLetter, "Lt": .titlecaseLetter, "Lm": .modifierLetter,
            "Lo": .otherLetter, "Mn": .nonspacingMark, "Mc": .spacingMark, "Me": .enclosingMark,
            "Nd": .decimalNumber, "Nl": .letterNumber, "No": .otherNumber, "Pc": .connectorPunctuation,
            "Pd": .dashPunctuation, "Ps": .openPunctuation, "Pe": .closePunctuation,
            "Pi": .initialPunctuation, "Pf": .finalPunctuation, "Po": .otherPunctuation, "Sm": .mathSymbol,
            "Sc": .currencySymbol, "Sk": .modifierSymbol, "So": .otherSymbol, "Zs": .spaceSeparator,
            "Zl": .lineSeparator, "Zp": .paragraphSeparator, "Cc": .control, "Cf": .format,
            "Cs": .surrogate, "Co": .privateUse,
        ]
        var result = named.mapValues { Set([$0]) }
        for major in ["L", "M", "N", "P", "S", "Z"] {
            result[major] = Set(named.filter { $0.key.hasPrefix(major) }.values)
        }
        result["C"] = [.control, .format, .privateUse, .surrogate]
        return result
    }()
}

/// Case-insensitive matching: simple (one scalar to one scalar) case mappings.
extension RegexCharacterClass {
    /// Whether `scalar` or one of its simple case variants (lowercase, uppercase, titlecase, and the
    /// lowercase of its uppercase, which joins `ſ` with `s`) satisfies `test`.
    static func anyCaseVariant(of scalar: Unicode.Scalar, satisfies test: (Unicode.Scalar) -> Bool) -> Bool {
        if test(scalar) { return true }
        if scalar.isASCII {
            let value = scalar.value
            switch value {
            case 0x41...0x5A: return test(Unicode.Scalar(UInt8(value + 0x20)))
            case 0x61...0x7A: return test(Unicode.Scalar(UInt8(value - 0x20)))
            default: return false
            }
        }
        for variant in caseVariants(of: scalar) where test(variant) { return true }
        return false
    }

    /// The simple case variants of a non-ASCII scalar, itself excluded.
    static func caseVariants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let properties = scalar.properties
        var variants: [Unicode.Scalar] = []
        for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
            if let single = singleScalar(mapping), single != scalar, !variants.contains(single) {
                variants.append(single)
            }
        }
        if let upper = singleScalar(properties.uppercaseMapping),
            let lower = singleScalar(upper.properties.lowercaseMapping), lower != scalar,
            !variants.contains(lower)
        {
            variants.append(lower)
        }
        return variants
    }

    /// The one scalar of `text`, or nil when it has none or several (a full mapping such as `ß` → `SS`).
    private static func singleScalar(_ text: String) -> Unicode.Scalar? {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }

    /// The class matching `scalar` in any case: itself and its case variants, listed, and folding at match
    /// time too (so a text scalar whose variant is `scalar` also matches).
    static func caseless(_ scalar: Unicode.Scalar) -> RegexCharacterClass {
        var result = RegexCharacterClass()
        result.add(scalar)
        if scalar.isASCII {
            _ = anyCaseVariant(of: scalar) { variant in
                result.add(variant)
                return false
            }
        } else {
            for variant in caseVariants(of: scalar) { result.add(variant) }
        }
        result.ignoresCase = true
        return result
    }

    /// Whether `scalar` has a case variant other than itself.
    static func hasCaseVariants(_ scalar: Unicode.Scalar) -> Bool {
        anyCaseVariant(of: scalar) { $0 != scalar }
    }
}
