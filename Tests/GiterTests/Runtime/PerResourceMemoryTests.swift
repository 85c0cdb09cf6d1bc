@testable import Giter
import GiterCodec
import Testing

/// What a controller and a store keep for every resource: no heap block of
/// its own per resource (see "Per resource, nothing on the heap" in
/// `Documentation/Performance.md`).
@Suite("Values kept per resource")
struct PerResourceMemoryTests {
    @Test func aControllersStateOfAKeyHoldsNoReference() {
        // A String digest was a heap block per resource that outlived the first sync.
        #expect(_isPOD(SpecVersion.self))
        #expect(_isPOD(KeyState.self))
        #expect(MemoryLayout<KeyState>.stride <= 56)
    }

    @Test func aSpecVersionComparesTheDigestsValue() throws {
        let spec = try DocumentEncoder().encodeNode(["image": "registry.example.com/widget:1", "replicas": "3"])
        let other = try DocumentEncoder().encodeNode(["image": "registry.example.com/widget:2", "replicas": "3"])
        let digest = SpecDigest.of(spec)
        #expect(digest.utf8.count == 16)
        #expect(SpecVersion(digest: digest, generation: 2) == SpecVersion(digest: SpecDigest.of(spec), generation: 2))
        #expect(SpecVersion(digest: digest, generation: 2) != SpecVersion(digest: SpecDigest.of(other), generation: 2))
        #expect(SpecVersion(digest: digest, generation: 2) != SpecVersion(digest: digest, generation: 3))
        #expect(SpecVersion.value(ofDigest: "00000000000000ff") == 0xff)
        #expect(SpecVersion.value(ofDigest: "ffffffffffffffff") == .max)
        // Text no digest has (never made by SpecDigest) still compares by its content.
        #expect(SpecVersion.value(ofDigest: "not a digest") == SpecVersion.value(ofDigest: "not a digest"))
        #expect(SpecVersion.value(ofDigest: "not a digest") != SpecVersion.value(ofDigest: "not a digest!"))
        #expect(SpecVersion.value(ofDigest: "") != SpecVersion.value(ofDigest: "0000000000000000"))
    }

    @Test func aSHA1IdIsKeptInlineAndGivenBackTheSame() throws {
        #expect(MemoryLayout<InlineObjectID>.stride <= 24)
        let texts = [
            "0000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffffffffffff",
            "0123456789abcdef0123456789abcdef01234567", "FEDCBA9876543210FEDCBA9876543210FEDCBA98",
            "00000000000000010000000000000001000000a0",
        ]
        var seen: Set<InlineObjectID> = []
        for text in texts {
            let id = try #require(ObjectID(hex: text))
            let inline = InlineObjectID(id)
            guard case .sha1 = inline else {
                Issue.record("\(text) is not kept inline")
                continue
            }
            #expect(inline.objectID == id)
            #expect(inline.objectID.hex == text.lowercased())
            seen.insert(inline)
        }
        #expect(seen.count == texts.count)
        for _ in 0..<200 {
            let text = String((0..<40).map { _ in "0123456789abcdef".randomElement()! })
            let id = try #require(ObjectID(hex: text))
            #expect(InlineObjectID(id).objectID == id)
            #expect(InlineObjectID(id) == InlineObjectID(try #require(ObjectID(hex: text))))
        }
    }

    @Test func aSHA256IdIsKeptAsItIs() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ab", count: 32)))
        #expect(InlineObjectID(id) == .other(id))
        #expect(InlineObjectID(id).objectID == id)
        #expect(InlineObjectID(nil as ObjectID?) == nil)
    }
}
