import GiterSchema
import Testing

/// A pattern `LinearRegex` refuses: the code, the offset (in Unicode scalars) and a word the message
/// must contain.
struct RegexRefusalCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var code: LinearRegexError.Code
    var offset: Int
    var mentions: String

    init(_ pattern: String, _ code: LinearRegexError.Code, at offset: Int, mentions: String) {
        self.pattern = pattern
        self.code = code
        self.offset = offset
        self.mentions = mentions
    }

    var testDescription: String { "/\(pattern)/ → \(code) at \(offset)" }
}

@Suite("LinearRegex refusals")
struct LinearRegexErrorTests {
    static let notRE2: [RegexRefusalCase] = [
        RegexRefusalCase("(a)\\1", .syntax, at: 3, mentions: "backreference"),
        RegexRefusalCase("\\9", .syntax, at: 0, mentions: "backreference"),
        RegexRefusalCase("(?P<x>a)(?P=x)", .syntax, at: 8, mentions: "backreference"),
        RegexRefusalCase("a\\k<x>", .syntax, at: 1, mentions: "backreference"),
        RegexRefusalCase("a(?=b)", .syntax, at: 1, mentions: "lookahead"),
        RegexRefusalCase("a(?!b)", .syntax, at: 1, mentions: "lookahead"),
        RegexRefusalCase("(?<=a)b", .syntax, at: 0, mentions: "lookbehind"),
        RegexRefusalCase("(?<!a)b", .syntax, at: 0, mentions: "lookbehind"),
        RegexRefusalCase("(?>a+)b", .syntax, at: 0, mentions: "atomic"),
        RegexRefusalCase("a++", .syntax, at: 2, mentions: "possessive"),
        RegexRefusalCase("xa*+", .syntax, at: 3, mentions: "possessive"),
        RegexRefusalCase("a{2}+", .syntax, at: 4, mentions: "possessive"),
        RegexRefusalCase("a**", .syntax, at: 2, mentions: "cannot follow"),
        RegexRefusalCase("a*?*", .syntax, at: 3, mentions: "cannot follow"),
        RegexRefusalCase("a{2}{3}", .syntax, at: 4, mentions: "cannot follow"),
        RegexRefusalCase("(?#comment)", .syntax, at: 0, mentions: "comment"),
        RegexRefusalCase("*a", .syntax, at: 0, mentions: "nothing to repeat"),
        RegexRefusalCase("a|+", .syntax, at: 2, mentions: "nothing to repeat"),
        RegexRefusalCase("(?i)*", .syntax, at: 4, mentions: "nothing to repeat"),
        RegexRefusalCase("{2}", .syntax, at: 0, mentions: "nothing to repeat"),
        RegexRefusalCase("(ab", .syntax, at: 0, mentions: "missing )"),
        RegexRefusalCase("a(b(c)", .syntax, at: 1, mentions: "missing )"),
        RegexRefusalCase("ab)", .syntax, at: 2, mentions: "unexpected )"),
        RegexRefusalCase("[abc", .syntax, at: 0, mentions: "missing ]"),
        RegexRefusalCase("x[]", .syntax, at: 1, mentions: "missing ]"),
        RegexRefusalCase("[z-a]", .syntax, at: 1, mentions: "invalid range"),
        RegexRefusalCase("[a-\\d]", .syntax, at: 1, mentions: "cannot end a range"),
        RegexRefusalCase("[[:alfa:]]", .syntax, at: 1, mentions: "POSIX"),
        RegexRefusalCase("a{1001}", .syntax, at: 1, mentions: "1000"),
        RegexRefusalCase("a{2,1001}", .syntax, at: 1, mentions: "1000"),
        RegexRefusalCase("a{3,2}", .syntax, at: 1, mentions: "below"),
        RegexRefusalCase("ab\\", .syntax, at: 2, mentions: "trailing"),
        RegexRefusalCase("\\Z", .syntax, at: 0, mentions: "unknown escape"),
        RegexRefusalCase("\\G", .syntax, at: 0, mentions: "unknown escape"),
        RegexRefusalCase("\\C", .syntax, at: 0, mentions: "unknown escape"),
        RegexRefusalCase("[\\b]", .syntax, at: 1, mentions: "unknown escape"),
        RegexRefusalCase("\\é", .syntax, at: 0, mentions: "unknown escape"),
        RegexRefusalCase("\\xZ1", .syntax, at: 0, mentions: "hex"),
        RegexRefusalCase("\\x{}", .syntax, at: 0, mentions: "hex"),
        RegexRefusalCase("\\x{41", .syntax, at: 0, mentions: "hex"),
        RegexRefusalCase("(?P<>a)", .syntax, at: 0, mentions: "group name"),
        RegexRefusalCase("(?P<a-b>x)", .syntax, at: 5, mentions: "group name"),
        RegexRefusalCase("(?P<n>a)(?P<n>b)", .syntax, at: 8, mentions: "duplicate"),
        RegexRefusalCase("(?x)a", .syntax, at: 0, mentions: "flags"),
        RegexRefusalCase("(?i-)a", .syntax, at: 0, mentions: "flags"),
        RegexRefusalCase("(?-:a)", .syntax, at: 0, mentions: "flags"),
        RegexRefusalCase("\\p{L", .syntax, at: 0, mentions: "missing }"),
        RegexRefusalCase("a\\x{110000}", .syntax, at: 1, mentions: "10FFFF"),
        // Offsets count Unicode scalars: é is one.
        RegexRefusalCase("éé(", .syntax, at: 2, mentions: "missing )"),
    ]

    static let unsupported: [RegexRefusalCase] = [
        RegexRefusalCase("\\p{Greek}", .unsupported, at: 0, mentions: "Greek"),
        RegexRefusalCase("a[\\p{Latin}]", .unsupported, at: 2, mentions: "Latin"),
        RegexRefusalCase("\\pX", .unsupported, at: 0, mentions: "general categories"),
    ]

    static let tooLarge: [RegexRefusalCase] = [
        RegexRefusalCase("(a{1000}){1000}", .tooLarge, at: 9, mentions: "10000 instructions"),
        RegexRefusalCase("x((((){1000}){1000}){1000})", .tooLarge, at: 13, mentions: "instructions"),
        RegexRefusalCase(
            "[a-z]{1000}[0-9]{1000}[a-z]{1000}[0-9]{1000}[a-z]{1000}",
            .tooLarge,
            at: 0,
            mentions: "shorten"
        ),
        RegexRefusalCase(
            String(repeating: "(", count: 201) + String(repeating: ")", count: 201),
            .tooLarge,
            at: 200,
            mentions: "nest"
        ),
    ]

    @Test(arguments: notRE2 + unsupported + tooLarge)
    func refuses(_ row: RegexRefusalCase) {
        let error = #expect(throws: LinearRegexError.self) { try LinearRegex(row.pattern) }
        #expect(error?.code == row.code)
        #expect(error?.offset == row.offset)
        #expect(error?.message.contains(row.mentions) == true, "\(error?.message ?? "no error")")
    }

    @Test func describesOffsetAndMessage() {
        let error = LinearRegexError(.syntax, "missing ) to close the group opened here", offset: 3)
        #expect(error.description == "offset 3: missing ) to close the group opened here")
        #expect(LinearRegexError.Code.unsupported.description == "unsupported")
    }

    @Test func acceptsTheLargestRepetitionAndDeepestNesting() throws {
        _ = try LinearRegex("a{1000}")
        _ = try LinearRegex("a{0,1000}")
        let nested = String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200)
        #expect(try LinearRegex(nested).matches("a"))
    }
}
