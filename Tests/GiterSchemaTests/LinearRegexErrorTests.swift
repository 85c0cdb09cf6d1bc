import GiterSchema
import Testing

/// A pattern `LinearRegex` refuses: the code, the offset (in Unicode scalars) and a word the message
/// must contain.
struct RefusalCase: Sendable, CustomTestStringConvertible {
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
    static let notRE2: [RefusalCase] = [
        RefusalCase("(a)\\1", .syntax, at: 3, mentions: "backreference"),
        RefusalCase("\\9", .syntax, at: 0, mentions: "backreference"),
        RefusalCase("(?P<x>a)(?P=x)", .syntax, at: 8, mentions: "backreference"),
        RefusalCase("a\\k<x>", .syntax, at: 1, mentions: "backreference"),
        RefusalCase("a(?=b)", .syntax, at: 1, mentions: "lookahead"),
        RefusalCase("a(?!b)", .syntax, at: 1, mentions: "lookahead"),
        RefusalCase("(?<=a)b", .syntax, at: 0, mentions: "lookbehind"),
        RefusalCase("(?<!a)b", .syntax, at: 0, mentions: "lookbehind"),
        RefusalCase("(?>a+)b", .syntax, at: 0, mentions: "atomic"),
        RefusalCase("a++", .syntax, at: 2, mentions: "possessive"),
        RefusalCase("xa*+", .syntax, at: 3, mentions: "possessive"),
        RefusalCase("a{2}+", .syntax, at: 4, mentions: "possessive"),
        RefusalCase("a**", .syntax, at: 2, mentions: "cannot follow"),
        RefusalCase("a*?*", .syntax, at: 3, mentions: "cannot follow"),
        RefusalCase("a{2}{3}", .syntax, at: 4, mentions: "cannot follow"),
        RefusalCase("(?#comment)", .syntax, at: 0, mentions: "comment"),
        RefusalCase("*a", .syntax, at: 0, mentions: "nothing to repeat"),
        RefusalCase("a|+", .syntax, at: 2, mentions: "nothing to repeat"),
        RefusalCase("(?i)*", .syntax, at: 4, mentions: "nothing to repeat"),
        RefusalCase("{2}", .syntax, at: 0, mentions: "nothing to repeat"),
        RefusalCase("(ab", .syntax, at: 0, mentions: "missing )"),
        RefusalCase("a(b(c)", .syntax, at: 1, mentions: "missing )"),
        RefusalCase("ab)", .syntax, at: 2, mentions: "unexpected )"),
        RefusalCase("[abc", .syntax, at: 0, mentions: "missing ]"),
        RefusalCase("x[]", .syntax, at: 1, mentions: "missing ]"),
        RefusalCase("[z-a]", .syntax, at: 1, mentions: "invalid range"),
        RefusalCase("[a-\\d]", .syntax, at: 1, mentions: "cannot end a range"),
        RefusalCase("[[:alfa:]]", .syntax, at: 1, mentions: "POSIX"),
        RefusalCase("a{1001}", .syntax, at: 1, mentions: "1000"),
        RefusalCase("a{2,1001}", .syntax, at: 1, mentions: "1000"),
        RefusalCase("a{3,2}", .syntax, at: 1, mentions: "below"),
        RefusalCase("ab\\", .syntax, at: 2, mentions: "trailing"),
        RefusalCase("\\Z", .syntax, at: 0, mentions: "unknown escape"),
        RefusalCase("\\G", .syntax, at: 0, mentions: "unknown escape"),
        RefusalCase("\\C", .syntax, at: 0, mentions: "unknown escape"),
        RefusalCase("[\\b]", .syntax, at: 1, mentions: "unknown escape"),
        RefusalCase("\\é", .syntax, at: 0, mentions: "unknown escape"),
        RefusalCase("\\xZ1", .syntax, at: 0, mentions: "hex"),
        RefusalCase("\\x{}", .syntax, at: 0, mentions: "hex"),
        RefusalCase("\\x{41", .syntax, at: 0, mentions: "hex"),
        RefusalCase("(?P<>a)", .syntax, at: 0, mentions: "group name"),
        RefusalCase("(?P<a-b>x)", .syntax, at: 5, mentions: "group name"),
        RefusalCase("(?P<n>a)(?P<n>b)", .syntax, at: 8, mentions: "duplicate"),
        RefusalCase("(?x)a", .syntax, at: 0, mentions: "flags"),
        RefusalCase("(?i-)a", .syntax, at: 0, mentions: "flags"),
        RefusalCase("(?-:a)", .syntax, at: 0, mentions: "flags"),
        RefusalCase("\\p{L", .syntax, at: 0, mentions: "missing }"),
        RefusalCase("a\\x{110000}", .syntax, at: 1, mentions: "10FFFF"),
        // Offsets count Unicode scalars: é is one.
        RefusalCase("éé(", .syntax, at: 2, mentions: "missing )"),
    ]

    static let unsupported: [RefusalCase] = [
        RefusalCase("\\p{Greek}", .unsupported, at: 0, mentions: "Greek"),
        RefusalCase("a[\\p{Latin}]", .unsupported, at: 2, mentions: "Latin"),
        RefusalCase("\\pX", .unsupported, at: 0, mentions: "general categories"),
    ]

    static let tooLarge: [RefusalCase] = [
        RefusalCase("(a{1000}){1000}", .tooLarge, at: 9, mentions: "10000 instructions"),
        RefusalCase("x((((){1000}){1000}){1000})", .tooLarge, at: 13, mentions: "instructions"),
        RefusalCase("[a-z]{1000}[0-9]{1000}[a-z]{1000}[0-9]{1000}[a-z]{1000}", .tooLarge, at: 0,
            mentions: "shorten"),
        RefusalCase(String(repeating: "(", count: 201) + String(repeating: ")", count: 201), .tooLarge, at: 200,
            mentions: "nest"),
    ]

    @Test(arguments: notRE2 + unsupported + tooLarge)
    func refuses(_ row: RefusalCase) {
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
