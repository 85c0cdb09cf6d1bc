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
        // Only lowercase digits are read as a value: other spellings are other texts.
        #expect(SpecVersion.value(ofDigest: "000000000000000F") != SpecVersion.value(ofDigest: "000000000000000f"))
        #expect(SpecVersion.value(ofDigest: "+00000000000000f") != SpecVersion.value(ofDigest: "000000000000000f"))
        #expect(SpecVersion.value(ofDigest: "-000000000000000") != SpecVersion.value(ofDigest: "0000000000000000"))
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
        // A fixed sequence (a linear congruential generator), the same in every run.
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        let digits = Array("0123456789abcdef")
        for _ in 0..<200 {
            let text = String(
                (0..<40).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return digits[Int(state >> 60)]
                })
            let id = try #require(ObjectID(hex: text))
            #expect(InlineObjectID(id).objectID == id)
            #expect(InlineObjectID(id) == InlineObjectID(try #require(ObjectID(hex: text))))
        }
    }

    /// Does not compile if a store's view keeps ``ObjectID``s again.
    static func viewTables<Resource>(of store: GitResourceStore<Resource>) async
        -> (live: [ResourceKey: InlineObjectID], archived: [ResourceKey: InlineObjectID])
    {
        (await store.live, await store.archived)
    }

    @Test func aSHA256IdIsKeptAsItIs() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ab", count: 32)))
        #expect(InlineObjectID(id) == .other(id))
        #expect(InlineObjectID(id).objectID == id)
        #expect(InlineObjectID(nil as ObjectID?) == nil)
    }
}
