import Giter
import Testing

/// ``ObjectID`` holds the hash's bytes inline: its text, order, equality
/// and hash are those of the lowercase hexadecimal it was read from.
@Suite("Object ids")
struct ObjectIDTests {
    @Test(arguments: [String(repeating: "0", count: 40), "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
                      "ffffffffffffffffffffffffffffffffffffffff", String(repeating: "a1", count: 32)])
    func hexRoundTrips(_ hex: String) throws {
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex)
        #expect(id.short == String(hex.prefix(7)))
        #expect(id.byteCount == hex.utf8.count / 2)
        #expect(ObjectID(bytes: id.bytes) == id)
        #expect(ObjectID(hex: hex.uppercased()) == id, "either case reads; the text is lowercase")
    }

    @Test(arguments: ["", "abc", String(repeating: "g", count: 40), String(repeating: "a", count: 41),
                      String(repeating: "a", count: 39), String(repeating: "a", count: 66), "4b825dc642cb6eb9a060e54bf8d69288fbee490 "])
    func badTextIsNoID(_ text: String) {
        #expect(ObjectID(hex: text) == nil)
    }

    @Test func orderEqualityAndHashFollowTheText() throws {
        let texts = ["00ff" + String(repeating: "0", count: 36), "0100" + String(repeating: "0", count: 36),
                     String(repeating: "0", count: 39) + "1", "f" + String(repeating: "0", count: 39)]
        let ids = try texts.map { try #require(ObjectID(hex: $0)) }
        #expect(ids.shuffled().sorted() == texts.sorted().map { ObjectID(hex: $0)! })
        #expect(Set(ids + ids).count == 4)
        #expect(ObjectID(bytes: [UInt8](repeating: 1, count: 19)) == nil)
        #expect(ObjectID(bytes: [UInt8](repeating: 0xab, count: 20))?.hex == String(repeating: "ab", count: 20))
    }
}
