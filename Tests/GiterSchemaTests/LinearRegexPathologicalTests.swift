import Dispatch
import GiterSchema
import Synchronization
import Testing

/// Patterns that take exponential time in a backtracking engine. `LinearRegex` must answer them; the
/// deadline (60 s, for a debug build on a busy machine) only catches a hang: there is no timing assert.
@Suite("LinearRegex pathological patterns")
struct LinearRegexPathologicalTests {
    static let manyA = String(repeating: "a", count: 30_000)

    static let cases: [RegexMatchCase] = [
        RegexMatchCase("(a+)+$", manyA + "!", false),
        RegexMatchCase("^(a+)+$", manyA + "!", false),
        RegexMatchCase("(a+)+$", manyA, true),
        RegexMatchCase("(a|aa)*b", manyA, false),
        RegexMatchCase("(a|aa)*b", manyA + "b", true),
        RegexMatchCase("(x+x+)+y", String(repeating: "x", count: 30_000), false),
        RegexMatchCase("(a*)*b", manyA, false),
        RegexMatchCase("(a|a?)+b", manyA, false),
        RegexMatchCase("^(a?){30}a{30}$", String(repeating: "a", count: 30), true),
        RegexMatchCase("(.*a){12}", String(repeating: "a", count: 11) + String(repeating: "b", count: 30_000), false),
        RegexMatchCase("^([a-z0-9]+-?)+[a-z0-9]$", String(repeating: "ab-", count: 10_000) + "-", false),
        RegexMatchCase("(\\w+\\s?)+$", String(repeating: "word ", count: 6_000) + "!", false),
        RegexMatchCase("[a-z]{1,1000}x", String(repeating: "q", count: 3_000), false),
    ]

    @Test(arguments: cases)
    func finishes(_ row: RegexMatchCase) async throws {
        let regex = try LinearRegex(row.pattern)
        let answer = await Self.result(within: .seconds(60)) { regex.matches(row.text) }
        #expect(answer == row.matches, "nil: no answer within 60 s")
    }

    /// A text of 200,000 scalars with the match at its very end.
    @Test func longText() async throws {
        let regex = try LinearRegex("(a|aa)*b")
        let text = String(repeating: "a", count: 200_000) + "b"
        #expect(await Self.result(within: .seconds(60)) { regex.matches(text) } == true)
    }

    /// Long patterns are read in time linear in their length (or refused), never quadratic: a class of
    /// 100,000 scalars listed from the last to the first, a class of 50,000 `[:a`, and 100,000 literals
    /// (over the program limit).
    @Test func largePatterns() async throws {
        let scalars = (0..<100_000).reversed().compactMap { Unicode.Scalar(0x4E00 + 2 * $0) }
        let bigClass = "^[" + String(String.UnicodeScalarView(scalars)) + "]+$"
        let answer = await Self.result(within: .seconds(60)) {
            (try? LinearRegex(bigClass)).map { ($0.matches("\u{4E00}\u{4E02}"), $0.matches("\u{4E01}")) }
        }
        #expect(answer??.0 == true)
        #expect(answer??.1 == false)

        // Each `[:` looks for the `:]` that would close a POSIX class; there is none.
        let manyOpenings = "^[" + String(repeating: "[:a", count: 50_000) + "]$"
        let openings = await Self.result(within: .seconds(60)) { try? LinearRegex(manyOpenings).matches(":") }
        #expect(openings == true)

        let literals = String(repeating: "ab", count: 50_000)
        let refusedAsTooLarge = await Self.result(within: .seconds(60)) { () -> Bool in
            do throws(LinearRegexError) {
                _ = try LinearRegex(literals)
                return false
            } catch {
                return error.code == .tooLarge
            }
        }
        #expect(refusedAsTooLarge == true)
    }

    /// The value of `work`, or nil when it has not finished within `limit`. The work runs on a thread of
    /// its own, so a hang fails this test at the deadline instead of blocking the run; the thread is left
    /// to finish on its own (the sleep is the deadline, not a wait for something).
    static func result<T: Sendable>(
        within limit: Duration,
        of work: @escaping @Sendable () -> T
    ) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let answer = FirstAnswer(continuation)
            let deadline = Task {
                try? await Task.sleep(for: limit)
                answer.give(nil)
            }
            DispatchQueue.global().async {
                answer.give(work())
                deadline.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: T?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
