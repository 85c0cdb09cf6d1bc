import GiterSchema
import Testing

/// One row of a match table: whether `pattern` matches somewhere in `text`, as Go's `regexp.MatchString`
/// answers.
struct RegexMatchCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var text: String
    var matches: Bool

    init(_ pattern: String, _ text: String, _ matches: Bool) {
        self.pattern = pattern
        self.text = text
        self.matches = matches
    }

    var testDescription: String { "/\(pattern)/ on \(text.debugDescription) → \(matches)" }
}

@Suite("LinearRegex matching")
struct LinearRegexMatchTests {
    static let literals: [RegexMatchCase] = [
        RegexMatchCase("abc", "abc", true),
        RegexMatchCase("abc", "xxabcxx", true),
        RegexMatchCase("abc", "abx", false),
        RegexMatchCase("", "", true),
        RegexMatchCase("", "anything", true),
        RegexMatchCase("a\\.b", "a.b", true),
        RegexMatchCase("a\\.b", "axb", false),
        RegexMatchCase("a.b", "axb", true),
        RegexMatchCase("\\\\", "a\\b", true),
        RegexMatchCase("\\\\", "ab", false),
        RegexMatchCase("a\\tb", "a\tb", true),
        RegexMatchCase("a\\nb", "a\nb", true),
        RegexMatchCase("\\x41", "A", true),
        RegexMatchCase("\\x41", "a", false),
        RegexMatchCase("\\x{263a}", "smile ☺", true),
        RegexMatchCase("\\x{1F600}", "😀", true),
        // A surrogate code point is valid RE2 but never in a text.
        RegexMatchCase("a|\\x{D800}", "b", false),
        RegexMatchCase("^[\\x{D7FF}-\\x{E000}]$", "\u{E000}", true),
        RegexMatchCase("\\101", "A", true),
        RegexMatchCase("\\0", "\u{0}", true),
        RegexMatchCase("\\Qa.b*\\E", "a.b*", true),
        RegexMatchCase("\\Qa.b*\\E", "axbb", false),
        RegexMatchCase("\\Qa.b", "a.b", true),
        RegexMatchCase("a{", "a{", true),
        RegexMatchCase("a{,2}", "a{,2}", true),
        RegexMatchCase("a{x}", "a{x}", true),
        RegexMatchCase("{", "{", true),
        RegexMatchCase("\\-\\]\\[\\(\\)\\{\\}\\*\\+\\?\\|\\^\\$", "-][(){}*+?|^$", true),
        RegexMatchCase("é", "café", true),
        RegexMatchCase("^.$", "é", true),
        RegexMatchCase("^..$", "😀x", true),
        // A text's scalars, not its characters: e + combining acute is two scalars.
        RegexMatchCase("^.$", "e\u{301}", false),
        RegexMatchCase("^..$", "e\u{301}", true),
    ]

    static let dotsAndAnchors: [RegexMatchCase] = [
        RegexMatchCase("a.c", "a\nc", false),
        RegexMatchCase("(?s)a.c", "a\nc", true),
        RegexMatchCase("(?s:a.)c", "a\nc", true),
        RegexMatchCase("^abc", "abcd", true),
        RegexMatchCase("^abc", "xabc", false),
        RegexMatchCase("abc$", "xabc", true),
        RegexMatchCase("abc$", "abcx", false),
        RegexMatchCase("abc$", "abc\n", false),
        RegexMatchCase("^$", "", true),
        RegexMatchCase("^$", "\n", false),
        RegexMatchCase("(?m)^b", "a\nb", true),
        RegexMatchCase("^b", "a\nb", false),
        RegexMatchCase("(?m)a$", "a\nb", true),
        RegexMatchCase("a$", "a\nb", false),
        RegexMatchCase("(?m)^$", "a\n\nb", true),
        RegexMatchCase("\\Aabc", "abc", true),
        RegexMatchCase("(?m)\\Ab", "a\nb", false),
        RegexMatchCase("abc\\z", "abc", true),
        RegexMatchCase("(?m)a\\z", "a\nb", false),
        RegexMatchCase("a^b", "a^b", false),
        RegexMatchCase("x*^a", "a", true),
        RegexMatchCase("^a|^b", "b", true),
        RegexMatchCase("^a|^b", "cb", false),
        RegexMatchCase("^a|b", "cb", true),
    ]

    static let wordBoundaries: [RegexMatchCase] = [
        RegexMatchCase("\\bcat\\b", "the cat sat", true),
        RegexMatchCase("\\bcat\\b", "concatenate", false),
        RegexMatchCase("\\bcat", "cat", true),
        RegexMatchCase("cat\\b", "cat!", true),
        RegexMatchCase("\\Bcat", "concat", true),
        RegexMatchCase("\\Bcat", "cat", false),
        RegexMatchCase("\\b", "", false),
        RegexMatchCase("\\B", "", true),
        RegexMatchCase("\\b", "a", true),
        // Word scalars are ASCII only.
        RegexMatchCase("\\bé", "é", false),
        RegexMatchCase("a\\b", "aé", true),
    ]

    static let classes: [RegexMatchCase] = [
        RegexMatchCase("^[a-z0-9-]+$", "my-name-1", true),
        RegexMatchCase("^[a-z0-9-]+$", "My-name", false),
        RegexMatchCase("^[-a]$", "-", true),
        RegexMatchCase("^[a-]$", "-", true),
        RegexMatchCase("^[]a]$", "]", true),
        RegexMatchCase("^[^]a]$", "]", false),
        RegexMatchCase("^[^]a]$", "b", true),
        RegexMatchCase("^[^a-z]$", "q", false),
        RegexMatchCase("^[^a-z]$", "Q", true),
        RegexMatchCase("^[^a]$", "\n", true),
        RegexMatchCase("^[a-c-e]$", "-", true),
        RegexMatchCase("^[a-c-e]$", "d", false),
        RegexMatchCase("^[\\]]$", "]", true),
        RegexMatchCase("^[\\\\]$", "\\", true),
        RegexMatchCase("^[\\-]$", "-", true),
        RegexMatchCase("^[\\x41-\\x43]+$", "ABC", true),
        RegexMatchCase("^[\\x{400}-\\x{4FF}]+$", "Привет", true),
        RegexMatchCase("^[.]$", "x", false),
        RegexMatchCase("^[.]$", ".", true),
        RegexMatchCase("^[[]$", "[", true),
        RegexMatchCase("^[a[]+$", "a[", true),
        RegexMatchCase("[$^]", "^", true),
        RegexMatchCase("^[ -~]*$", "printable ASCII!", true),
        RegexMatchCase("^[ -~]*$", "tab\t", false),
    ]

    static let perlAndPosixClasses: [RegexMatchCase] = [
        RegexMatchCase("^\\d+$", "0123456789", true),
        RegexMatchCase("^\\d$", "٣", false),
        RegexMatchCase("^\\D$", "a", true),
        RegexMatchCase("^\\D$", "5", false),
        RegexMatchCase("^\\w+$", "snake_Case9", true),
        RegexMatchCase("^\\w$", "é", false),
        RegexMatchCase("^\\W$", "é", true),
        RegexMatchCase("^\\W$", "_", false),
        RegexMatchCase("^\\s+$", " \t\n\r\u{0C}", true),
        RegexMatchCase("^\\s$", "\u{0B}", false),
        RegexMatchCase("^\\S$", " ", false),
        RegexMatchCase("^[\\d.]+$", "1.25", true),
        RegexMatchCase("^[\\w-]+$", "a-b_c", true),
        RegexMatchCase("^[\\D]$", "x", true),
        RegexMatchCase("^[\\D]$", "1", false),
        RegexMatchCase("^[^\\D]$", "1", true),
        RegexMatchCase("^[^\\d\\s]+$", "abc", true),
        RegexMatchCase("^[^\\d\\s]+$", "a c", false),
        RegexMatchCase("^[[:alpha:]]+$", "Hello", true),
        RegexMatchCase("^[[:alpha:]]+$", "Héllo", false),
        RegexMatchCase("^[[:digit:][:upper:]]+$", "A1B2", true),
        RegexMatchCase("^[[:^digit:]]+$", "abc", true),
        RegexMatchCase("^[[:^digit:]]+$", "ab1", false),
        RegexMatchCase("^[[:xdigit:]]+$", "deadBEEF09", true),
        RegexMatchCase("^[[:punct:]]+$", "!-/:@[`{~", true),
        RegexMatchCase("^[[:space:]]+$", " \u{0B}", true),
        RegexMatchCase("^[[:word:]]+$", "a_1", true),
        RegexMatchCase("^[[:alnum:]_-]+$", "a_1-b", true),
        RegexMatchCase("^\\pL+$", "Héllo", true),
        RegexMatchCase("^\\p{L}+$", "Ωμέγα", true),
        RegexMatchCase("^\\p{Lu}", "Ω", true),
        RegexMatchCase("^\\p{Lu}", "ω", false),
        RegexMatchCase("^\\p{Nd}+$", "12٣", true),
        RegexMatchCase("^\\PL$", "1", true),
        RegexMatchCase("^\\PL$", "a", false),
        RegexMatchCase("^\\p{^L}$", "1", true),
        RegexMatchCase("^[\\p{Lu}\\d]+$", "AB12", true),
        RegexMatchCase("^[\\P{L}]+$", "12", true),
        RegexMatchCase("^[^\\P{L}]+$", "ab", true),
        RegexMatchCase("^[^\\P{L}]+$", "a1", false),
        RegexMatchCase("^\\p{Any}$", "\n", true),
        RegexMatchCase("^\\pN\\pP\\pS\\pZ$", "1!+ ", true),
    ]

    static let groupsAndAlternation: [RegexMatchCase] = [
        RegexMatchCase("^(ab)+$", "ababab", true),
        RegexMatchCase("^(ab)+$", "ababa", false),
        RegexMatchCase("^(?:ab)+$", "abab", true),
        RegexMatchCase("^(?)a$", "a", true),
        RegexMatchCase("^(?P<word>[a-z]+)-(?P<number>\\d+)$", "abc-42", true),
        RegexMatchCase("^(?<word>[a-z]+)$", "abc", true),
        RegexMatchCase("^(a|bc|def)$", "bc", true),
        RegexMatchCase("^(a|bc|def)$", "de", false),
        RegexMatchCase("^(|a)$", "", true),
        RegexMatchCase("^(a|)$", "a", true),
        RegexMatchCase("^()$", "", true),
        RegexMatchCase("a|b|c", "xxc", true),
        RegexMatchCase("a|b|c", "xyz", false),
        RegexMatchCase("^((a|b)(c|d))+$", "acbdad", true),
        RegexMatchCase("^(((((x)))))$", "x", true),
        RegexMatchCase("cat|dog", "hotdog", true),
    ]

    static let repetitions: [RegexMatchCase] = [
        RegexMatchCase("^a*$", "", true),
        RegexMatchCase("^a*$", "aaaa", true),
        RegexMatchCase("^a*$", "aab", false),
        RegexMatchCase("^a+$", "", false),
        RegexMatchCase("^a+$", "aaa", true),
        RegexMatchCase("^ab?c$", "ac", true),
        RegexMatchCase("^ab?c$", "abc", true),
        RegexMatchCase("^ab?c$", "abbc", false),
        RegexMatchCase("^a{3}$", "aaa", true),
        RegexMatchCase("^a{3}$", "aa", false),
        RegexMatchCase("^a{3}$", "aaaa", false),
        RegexMatchCase("^a{2,}$", "a", false),
        RegexMatchCase("^a{2,}$", "aaaaa", true),
        RegexMatchCase("^a{2,4}$", "aa", true),
        RegexMatchCase("^a{2,4}$", "aaaa", true),
        RegexMatchCase("^a{2,4}$", "aaaaa", false),
        RegexMatchCase("^a{0}b$", "b", true),
        RegexMatchCase("^a{0}b$", "ab", false),
        RegexMatchCase("^a{0,1}b$", "ab", true),
        RegexMatchCase("^(ab){2}$", "abab", true),
        RegexMatchCase("^[a-z]{1,3}$", "abcd", false),
        RegexMatchCase("^a{1000}$", String(repeating: "a", count: 1000), true),
        RegexMatchCase("^a{1000}$", String(repeating: "a", count: 999), false),
        RegexMatchCase("^a*?$", "aaa", true),
        RegexMatchCase("^a+?b$", "aaab", true),
        RegexMatchCase("^a??b$", "ab", true),
        RegexMatchCase("^a{2,3}?$", "aaa", true),
        RegexMatchCase("^a{2}?$", "aa", true),
        RegexMatchCase("(?U)^a+$", "aaa", true),
        RegexMatchCase("^(a*)*$", "aaa", true),
        RegexMatchCase("^(a*)+$", "", true),
        RegexMatchCase("^(a?){3}$", "a", true),
        RegexMatchCase("^(a|b)*c$", "ababc", true),
        RegexMatchCase("^(?:^)*a$", "a", true),
        RegexMatchCase("^(\\b)*a$", "a", true),
        RegexMatchCase("^(a{0})*$", "", true),
        RegexMatchCase("^(a{0})*$", "a", false),
    ]

    static let caseInsensitivity: [RegexMatchCase] = [
        RegexMatchCase("(?i)abc", "xAbC", true),
        RegexMatchCase("(?i)^[a-c]+$", "ABCabc", true),
        RegexMatchCase("(?i)^[^a]$", "A", false),
        RegexMatchCase("(?i)^[^a]$", "b", true),
        RegexMatchCase("a(?i)b", "aB", true),
        RegexMatchCase("a(?i)b", "AB", false),
        RegexMatchCase("(?i:a)b", "Ab", true),
        RegexMatchCase("(?i:a)b", "AB", false),
        RegexMatchCase("(?i)a(?-i)b", "Ab", true),
        RegexMatchCase("(?i)a(?-i)b", "AB", false),
        RegexMatchCase("(a(?i)b)c", "aBc", true),
        RegexMatchCase("(a(?i)b)c", "aBC", false),
        RegexMatchCase("a(?i)b|c", "C", true),
        RegexMatchCase("(?i)é", "É", true),
        RegexMatchCase("(?i)σ", "Σ", true),
        RegexMatchCase("(?i)^\\x{212A}$", "k", true),
        RegexMatchCase("(?i)^k$", "\u{212A}", true),
        RegexMatchCase("(?i)^s$", "ſ", true),
        RegexMatchCase("(?i)^\\p{Lu}$", "a", true),
        RegexMatchCase("(?i)^[[:upper:]]$", "a", true),
        RegexMatchCase("(?i)^\\d$", "1", true),
        RegexMatchCase("(?i)1", "1", true),
        RegexMatchCase("(?i)\\Qab\\E", "AB", true),
        RegexMatchCase("(?im)^B$", "a\nb", true),
        RegexMatchCase("(?i-m)^B$", "a\nb", false),
    ]

    /// Patterns as Kubernetes CRDs and Giter use them.
    static let kubernetes: [RegexMatchCase] = [
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "my-app-1", true),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "a", true),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "-app", false),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "app-", false),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "App", false),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "", false),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "lab.example.com", true),
        RegexMatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "lab..example", false),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "512Mi", true),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "1.5Gi", true),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "100", true),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "1.Gi", false),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "5Ti", false),
        RegexMatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "Mi", false),
        RegexMatchCase(Self.semver, "1.2.3", true),
        RegexMatchCase(Self.semver, "0.10.0-rc.1+build.5", true),
        RegexMatchCase(Self.semver, "1.0.0-alpha", true),
        RegexMatchCase(Self.semver, "01.2.3", false),
        RegexMatchCase(Self.semver, "1.2", false),
        RegexMatchCase(Self.semver, "1.2.3-", false),
        RegexMatchCase(Self.email, "alice@lab.example", true),
        RegexMatchCase(Self.email, "a.b+tag@sub.example.org", true),
        RegexMatchCase(Self.email, "alice@", false),
        RegexMatchCase(Self.email, "alice@lab", false),
        RegexMatchCase(Self.email, "al ice@lab.example", false),
        RegexMatchCase("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1h30m", true),
        RegexMatchCase("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1d", false),
        RegexMatchCase("^(([0-9]{1,3})\\.){3}[0-9]{1,3}$", "10.0.255.1", true),
        RegexMatchCase("^(([0-9]{1,3})\\.){3}[0-9]{1,3}$", "10.0.2555.1", false),
        RegexMatchCase("^[A-Z][a-zA-Z0-9]*$", "Experiment", true),
        RegexMatchCase("^[A-Z][a-zA-Z0-9]*$", "experiment", false),
        RegexMatchCase("^(True|False|Unknown)$", "Unknown", true),
        RegexMatchCase("^(True|False|Unknown)$", "true", false),
        RegexMatchCase(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
            "2026-12-02T04:43:25Z",
            true
        ),
        RegexMatchCase("^https?://[^\\s/$.?#].[^\\s]*$", "https://example.com/x", true),
        RegexMatchCase("^https?://[^\\s/$.?#].[^\\s]*$", "ftp://example.com", false),
    ]

    static let semver =
        "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
        + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
        + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$"
    static let email = "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$"

    @Test(
        arguments: literals + dotsAndAnchors + wordBoundaries + classes + perlAndPosixClasses
            + groupsAndAlternation + repetitions + caseInsensitivity + kubernetes
    )
    func matches(_ row: RegexMatchCase) throws {
        let regex = try LinearRegex(row.pattern)
        #expect(regex.matches(row.text) == row.matches)
    }

    @Test func keepsThePattern() throws {
        let regex = try LinearRegex("^a+$")
        #expect(regex.pattern == "^a+$")
        #expect(regex.description == "^a+$")
    }
}
