import Foundation
import GiterCodec
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2024-05-01T12:30:00Z", 1_714_566_600.0),
        ("2024-05-01t12:30:00z", 1_714_566_600.0),
        ("2024-05-01 12:30:00Z", 1_714_566_600.0),
        ("2024-05-01T14:30:00+02:00", 1_714_566_600.0),
        ("2024-05-01T07:00:00-05:30", 1_714_566_600.0),
        ("2024-05-01T12:30:00.25Z", 1_714_566_600.25),
        ("2024-05-01T12:30:00.250000000000000000001Z", 1_714_566_600.25),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -0.5),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2001-01-01T00:00:00Z", 978_307_200),
        ("1900-03-01T00:00:00Z", -2_203_891_200),
        ("0000-01-01T00:00:00Z", -62_167_219_200),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        #expect(date.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: [
        "",
        "2024-05-01",
        "2024-05-01T12:30:00",
        "2024-05-01T12:30Z",
        "2024-5-01T12:30:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-01T00:00:00Z",
        "2024-05-00T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:30:61Z",
        "2024-05-01T12:30:00.Z",
        "2024-05-01T12:30:00+0200",
        "2024-05-01T12:30:00+24:00",
        "2024-05-01T12:30:00+02:60",
        "2024-05-01T12:30:00+02:00 ",
        "2024-05-01T12:30:00ZZ",
        "2024-05-01X12:30:00Z",
        " 2024-05-01T12:30:00Z",
        "２０２４-05-01T12:30:00Z",
        "+2024-05-01T12:30:00Z",
    ])
    func rejects(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test(arguments: [
        (1_714_566_600.0, "2024-05-01T12:30:00Z"),
        (1_714_566_600.25, "2024-05-01T12:30:00.25Z"),
        (1_714_566_600.001, "2024-05-01T12:30:00.001Z"),
        (1_714_566_600.123456, "2024-05-01T12:30:00.123456Z"),
        (0, "1970-01-01T00:00:00Z"),
        (-0.5, "1969-12-31T23:59:59.5Z"),
        (-62_167_219_200, "0000-01-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
    ])
    func formats(seconds: Double, text: String) {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func datesWithoutAnRFC3339FormAreNil() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 253_402_300_800)) == nil)
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -62_167_219_201)) == nil)
        #expect(RFC3339.string(from: Date(timeIntervalSinceReferenceDate: .nan)) == nil)
        #expect(RFC3339.string(from: Date(timeIntervalSinceReferenceDate: .infinity)) == nil)
    }

    @Test func formattedDatesReadBackExactly() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<5_000 {
            // Whole seconds across the whole range, and fractions at several scales.
            let whole = Double(Int64(bitPattern: generator.next()) % 253_402_300_799)
            let digits = [0, 3, 6, 9][Int(generator.next() % 4)]
            let scale = [1.0, 1e3, 1e6, 1e9][digits / 3]
            let fraction = Double(generator.next() % UInt64(scale)) / scale
            let date = Date(timeIntervalSince1970: max(-62_167_219_200, whole + fraction))
            let text = try #require(RFC3339.string(from: date))
            #expect(RFC3339.date(from: text) == date, "\(text)")
        }
    }

    @Test func formattedFractionsAreShort() throws {
        let text = try #require(RFC3339.string(from: Date(timeIntervalSince1970: 1_714_566_600.1)))
        #expect(text == "2024-05-01T12:30:00.1Z")
    }
}

/// A small seeded generator (SplitMix64), so that failures reproduce.
private struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
