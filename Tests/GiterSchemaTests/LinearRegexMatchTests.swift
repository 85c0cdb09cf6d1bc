import GiterSchema
import Testing

/// One row of a match table: whether `pattern` matches somewhere in `text`, as Go's `regexp.MatchString`
/// answers.
struct MatchCase: Sendable, CustomTestStringConvertible {
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
    static let literals: [MatchCase] = [
        MatchCase("abc", "abc", true),
        MatchCase("abc", "xxabcxx", true),
        MatchCase("abc", "abx", false),
        MatchCase("", "", true),
        MatchCase("", "anything", true),
        MatchCase("a\\.b", "a.b", true),
        MatchCase("a\\.b", "axb", false),
        MatchCase("a.b", "axb", true),
        MatchCase("\\\\", "a\\b", true),
        MatchCase("\\\\", "ab", false),
        MatchCase("a\\tb", "a\tb", true),
        MatchCase("a\\nb", "a\nb", true),
        MatchCase("\\x41", "A", true),
        MatchCase("\\x41", "a", false),
        MatchCase("\\x{263a}", "smile ☺", true),
        MatchCase("\\x{1F600}", "😀", true),
        // A surrogate code point is valid RE2 but never in a text.
        MatchCase("a|\\x{D800}", "b", false),
        MatchCase("^[\\x{D7FF}-\\x{E000}]$", "\u{E000}", true),
        MatchCase("\\101", "A", true),
        MatchCase("\\0", "\u{0}", true),
        MatchCase("\\Qa.b*\\E", "a.b*", true),
        MatchCase("\\Qa.b*\\E", "axbb", false),
        MatchCase("\\Qa.b", "a.b", true),
        MatchCase("a{", "a{", true),
        MatchCase("a{,2}", "a{,2}", true),
        MatchCase("a{x}", "a{x}", true),
        MatchCase("{", "{", true),
        MatchCase("\\-\\]\\[\\(\\)\\{\\}\\*\\+\\?\\|\\^\\$", "-][(){}*+?|^$", true),
        MatchCase("é", "café", true),
        MatchCase("^.$", "é", true),
        MatchCase("^..$", "😀x", true),
        // A text's scalars, not its characters: e + combining acute is two scalars.
        MatchCase("^.$", "e\u{301}", false),
        MatchCase("^..$", "e\u{301}", true),
    ]

    static let dotsAndAnchors: [MatchCase] = [
        MatchCase("a.c", "a\nc", false),
        MatchCase("(?s)a.c", "a\nc", true),
        MatchCase("(?s:a.)c", "a\nc", true),
        MatchCase("^abc", "abcd", true),
        MatchCase("^abc", "xabc", false),
        MatchCase("abc$", "xabc", true),
        MatchCase("abc$", "abcx", false),
        MatchCase("abc$", "abc\n", false),
        MatchCase("^$", "", true),
        MatchCase("^$", "\n", false),
        MatchCase("(?m)^b", "a\nb", true),
        MatchCase("^b", "a\nb", false),
        MatchCase("(?m)a$", "a\nb", true),
        MatchCase("a$", "a\nb", false),
        MatchCase("(?m)^$", "a\n\nb", true),
        MatchCase("\\Aabc", "abc", true),
        MatchCase("(?m)\\Ab", "a\nb", false),
        MatchCase("abc\\z", "abc", true),
        MatchCase("(?m)a\\z", "a\nb", false),
        MatchCase("a^b", "a^b", false),
        MatchCase("x*^a", "a", true),
        MatchCase("^a|^b", "b", true),
        MatchCase("^a|^b", "cb", false),
        MatchCase("^a|b", "cb", true),
    ]

    static let wordBoundaries: [MatchCase] = [
        MatchCase("\\bcat\\b", "the cat sat", true),
        MatchCase("\\bcat\\b", "concatenate", false),
        MatchCase("\\bcat", "cat", true),
        MatchCase("cat\\b", "cat!", true),
        MatchCase("\\Bcat", "concat", true),
        MatchCase("\\Bcat", "cat", false),
        MatchCase("\\b", "", false),
        MatchCase("\\B", "", true),
        MatchCase("\\b", "a", true),
        // Word scalars are ASCII only.
        MatchCase("\\bé", "é", false),
        MatchCase("a\\b", "aé", true),
    ]

    static let classes: [MatchCase] = [
        MatchCase("^[a-z0-9-]+$", "my-name-1", true),
        MatchCase("^[a-z0-9-]+$", "My-name", false),
        MatchCase("^[-a]$", "-", true),
        MatchCase("^[a-]$", "-", true),
        MatchCase("^[]a]$", "]", true),
        MatchCase("^[^]a]$", "]", false),
        MatchCase("^[^]a]$", "b", true),
        MatchCase("^[^a-z]$", "q", false),
        MatchCase("^[^a-z]$", "Q", true),
        MatchCase("^[^a]$", "\n", true),
        MatchCase("^[a-c-e]$", "-", true),
        MatchCase("^[a-c-e]$", "d", false),
        MatchCase("^[\\]]$", "]", true),
        MatchCase("^[\\\\]$", "\\", true),
        MatchCase("^[\\-]$", "-", true),
        MatchCase("^[\\x41-\\x43]+$", "ABC", true),
        MatchCase("^[\\x{400}-\\x{4FF}]+$", "Привет", true),
        MatchCase("^[.]$", "x", false),
        MatchCase("^[.]$", ".", true),
        MatchCase("^[[]$", "[", true),
        MatchCase("^[a[]+$", "a[", true),
        MatchCase("[$^]", "^", true),
        MatchCase("^[ -~]*$", "printable ASCII!", true),
        MatchCase("^[ -~]*$", "tab\t", false),
    ]

    static let perlAndPosixClasses: [MatchCase] = [
        MatchCase("^\\d+$", "0123456789", true),
        MatchCase("^\\d$", "٣", false),
        MatchCase("^\\D$", "a", true),
        MatchCase("^\\D$", "5", false),
        MatchCase("^\\w+$", "snake_Case9", true),
        MatchCase("^\\w$", "é", false),
        MatchCase("^\\W$", "é", true),
        MatchCase("^\\W$", "_", false),
        MatchCase("^\\s+$", " \t\n\r\u{0C}", true),
        MatchCase("^\\s$", "\u{0B}", false),
        MatchCase("^\\S$", " ", false),
        MatchCase("^[\\d.]+$", "1.25", true),
        MatchCase("^[\\w-]+$", "a-b_c", true),
        MatchCase("^[\\D]$", "x", true),
        MatchCase("^[\\D]$", "1", false),
        MatchCase("^[^\\D]$", "1", true),
        MatchCase("^[^\\d\\s]+$", "abc", true),
        MatchCase("^[^\\d\\s]+$", "a c", false),
        MatchCase("^[[:alpha:]]+$", "Hello", true),
        MatchCase("^[[:alpha:]]+$", "Héllo", false),
        MatchCase("^[[:digit:][:upper:]]+$", "A1B2", true),
        MatchCase("^[[:^digit:]]+$", "abc", true),
        MatchCase("^[[:^digit:]]+$", "ab1", false),
        MatchCase("^[[:xdigit:]]+$", "deadBEEF09", true),
        MatchCase("^[[:punct:]]+$", "!-/:@[`{~", true),
        MatchCase("^[[:space:]]+$", " \u{0B}", true),
        MatchCase("^[[:word:]]+$", "a_1", true),
        MatchCase("^[[:alnum:]_-]+$", "a_1-b", true),
        MatchCase("^\\pL+$", "Héllo", true),
        MatchCase("^\\p{L}+$", "Ωμέγα", true),
        MatchCase("^\\p{Lu}", "Ω", true),
        MatchCase("^\\p{Lu}", "ω", false),
        MatchCase("^\\p{Nd}+$", "12٣", true),
        MatchCase("^\\PL$", "1", true),
        MatchCase("^\\PL$", "a", false),
        MatchCase("^\\p{^L}$", "1", true),
        MatchCase("^[\\p{Lu}\\d]+$", "AB12", true),
        MatchCase("^[\\P{L}]+$", "12", true),
        MatchCase("^[^\\P{L}]+$", "ab", true),
        MatchCase("^[^\\P{L}]+$", "a1", false),
        MatchCase("^\\p{Any}$", "\n", true),
        MatchCase("^\\pN\\pP\\pS\\pZ$", "1!+ ", true),
    ]

    static let groupsAndAlternation: [MatchCase] = [
        MatchCase("^(ab)+$", "ababab", true),
        MatchCase("^(ab)+$", "ababa", false),
        MatchCase("^(?:ab)+$", "abab", true),
        MatchCase("^(?)a$", "a", true),
        MatchCase("^(?P<word>[a-z]+)-(?P<number>\\d+)$", "abc-42", true),
        MatchCase("^(?<word>[a-z]+)$", "abc", true),
        MatchCase("^(a|bc|def)$", "bc", true),
        MatchCase("^(a|bc|def)$", "de", false),
        MatchCase("^(|a)$", "", true),
        MatchCase("^(a|)$", "a", true),
        MatchCase("^()$", "", true),
        MatchCase("a|b|c", "xxc", true),
        MatchCase("a|b|c", "xyz", false),
        MatchCase("^((a|b)(c|d))+$", "acbdad", true),
        MatchCase("^(((((x)))))$", "x", true),
        MatchCase("cat|dog", "hotdog", true),
    ]

    static let repetitions: [MatchCase] = [
        MatchCase("^a*$", "", true),
        MatchCase("^a*$", "aaaa", true),
        MatchCase("^a*$", "aab", false),
        MatchCase("^a+$", "", false),
        MatchCase("^a+$", "aaa", true),
        MatchCase("^ab?c$", "ac", true),
        MatchCase("^ab?c$", "abc", true),
        MatchCase("^ab?c$", "abbc", false),
        MatchCase("^a{3}$", "aaa", true),
        MatchCase("^a{3}$", "aa", false),
        MatchCase("^a{3}$", "aaaa", false),
        MatchCase("^a{2,}$", "a", false),
        MatchCase("^a{2,}$", "aaaaa", true),
        MatchCase("^a{2,4}$", "aa", true),
        MatchCase("^a{2,4}$", "aaaa", true),
        MatchCase("^a{2,4}$", "aaaaa", false),
        MatchCase("^a{0}b$", "b", true),
        MatchCase("^a{0}b$", "ab", false),
        MatchCase("^a{0,1}b$", "ab", true),
        MatchCase("^(ab){2}$", "abab", true),
        MatchCase("^[a-z]{1,3}$", "abcd", false),
        MatchCase("^a{1000}$", String(repeating: "a", count: 1000), true),
        MatchCase("^a{1000}$", String(repeating: "a", count: 999), false),
        MatchCase("^a*?$", "aaa", true),
        MatchCase("^a+?b$", "aaab", true),
        MatchCase("^a??b$", "ab", true),
        MatchCase("^a{2,3}?$", "aaa", true),
        MatchCase("^a{2}?$", "aa", true),
        MatchCase("(?U)^a+$", "aaa", true),
        MatchCase("^(a*)*$", "aaa", true),
        MatchCase("^(a*)+$", "", true),
        MatchCase("^(a?){3}$", "a", true),
        MatchCase("^(a|b)*c$", "ababc", true),
        MatchCase("^(?:^)*a$", "a", true),
        MatchCase("^(\\b)*a$", "a", true),
        MatchCase("^(a{0})*$", "", true),
        MatchCase("^(a{0})*$", "a", false),
    ]

    static let caseInsensitivity: [MatchCase] = [
        MatchCase("(?i)abc", "xAbC", true),
        MatchCase("(?i)^[a-c]+$", "ABCabc", true),
        MatchCase("(?i)^[^a]$", "A", false),
        MatchCase("(?i)^[^a]$", "b", true),
        MatchCase("a(?i)b", "aB", true),
        MatchCase("a(?i)b", "AB", false),
        MatchCase("(?i:a)b", "Ab", true),
        MatchCase("(?i:a)b", "AB", false),
        MatchCase("(?i)a(?-i)b", "Ab", true),
        MatchCase("(?i)a(?-i)b", "AB", false),
        MatchCase("(a(?i)b)c", "aBc", true),
        MatchCase("(a(?i)b)c", "aBC", false),
        MatchCase("a(?i)b|c", "C", true),
        MatchCase("(?i)é", "É", true),
        MatchCase("(?i)σ", "Σ", true),
        MatchCase("(?i)^\\x{212A}$", "k", true),
        MatchCase("(?i)^k$", "\u{212A}", true),
        MatchCase("(?i)^s$", "ſ", true),
        MatchCase("(?i)^\\p{Lu}$", "a", true),
        MatchCase("(?i)^[[:upper:]]$", "a", true),
        MatchCase("(?i)^\\d$", "1", true),
        MatchCase("(?i)1", "1", true),
        MatchCase("(?i)\\Qab\\E", "AB", true),
        MatchCase("(?im)^B$", "a\nb", true),
        MatchCase("(?i-m)^B$", "a\nb", false),
    ]

    /// Patterns as Kubernetes CRDs and Giter use them.
    static let kubernetes: [MatchCase] = [
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "my-app-1", true),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "a", true),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "-app", false),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "app-", false),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "App", false),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "", false),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "lab.example.com", true),
        MatchCase("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "lab..example", false),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "512Mi", true),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "1.5Gi", true),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "100", true),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "1.Gi", false),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "5Ti", false),
        MatchCase("^(\\d+(\\.\\d+)?)(Ki|Mi|Gi)?$", "Mi", false),
        MatchCase(Self.semver, "1.2.3", true),
        MatchCase(Self.semver, "0.10.0-rc.1+build.5", true),
        MatchCase(Self.semver, "1.0.0-alpha", true),
        MatchCase(Self.semver, "01.2.3", false),
        MatchCase(Self.semver, "1.2", false),
        MatchCase(Self.semver, "1.2.3-", false),
        MatchCase(Self.email, "alice@lab.example", true),
        MatchCase(Self.email, "a.b+tag@sub.example.org", true),
        MatchCase(Self.email, "alice@", false),
        MatchCase(Self.email, "alice@lab", false),
        MatchCase(Self.email, "al ice@lab.example", false),
        MatchCase("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1h30m", true),
        MatchCase("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1d", false),
        MatchCase("^(([0-9]{1,3})\\.){3}[0-9]{1,3}$", "10.0.255.1", true),
        MatchCase("^(([0-9]{1,3})\\.){3}[0-9]{1,3}$", "10.0.2555.1", false),
        MatchCase("^[A-Z][a-zA-Z0-9]*$", "Experiment", true),
        MatchCase("^[A-Z][a-zA-Z0-9]*$", "experiment", false),
        MatchCase("^(True|False|Unknown)$", "Unknown", true),
        MatchCase("^(True|False|Unknown)$", "true", false),
        MatchCase(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
            "2026-12-02T04:43:25Z",
            true
        ),
        MatchCase("^https?://[^\\s/$.?#].[^\\s]*$", "https://example.com/x", true),
        MatchCase("^https?://[^\\s/$.?#].[^\\s]*$", "ftp://example.com", false),
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
    func matches(_ row: MatchCase) throws {
        let regex = try LinearRegex(row.pattern)
        #expect(regex.matches(row.text) == row.matches)
    }

    @Test func keepsThePattern() throws {
        let regex = try LinearRegex("^a+$")
        #expect(regex.pattern == "^a+$")
        #expect(regex.description == "^a+$")
    }
}
