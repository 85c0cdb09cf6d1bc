import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A live resource file as a write finds it.
enum LiveFile {
    /// A file that reads as a resource file: one YAML mapping.
    case readable(ResourceDocument)
    /// A file that does not (a syntax error, not YAML at all, not a
    /// mapping), or whose `metadata` does not decode: its bytes, and why.
    case unreadable(bytes: [UInt8], StoreError)

    /// The file's bytes.
    var bytes: [UInt8] {
        switch self {
        case .readable(let document): document.bytes
        case .unreadable(let bytes, _): bytes
        }
    }

    /// What a consumer's status write into an unreadable file fails with:
    /// the file's own error (path, line, column), and what to do.
    static func refusingStatus(_ error: StoreError) -> StoreError {
        StoreError(
            error.code,
            path: error.path,
            location: error.location,
            "\(error.message); a consumer never writes into a file it cannot read: "
                + "its producer replaces the file (apply) or deletes it",
            cause: error.cause
        )
    }
}

extension GitResourceStore {
    /// How many commits that changed a file an apply over its unreadable
    /// version looks back through for the last version that reads.
    static var generationLookBack: Int { 64 }

    /// An apply over the producer's own file that cannot be read: the file
    /// is replaced by a new one written from `desired` (the contract lets the
    /// producer replace its own unreadable file; nothing of the old file is
    /// kept, but a status that still parses), at a generation that never
    /// goes back (``generation(replacing:key:)``).
    func replace(
        unreadable bytes: [UInt8],
        _ error: StoreError,
        with desired: Resource,
        spec: Node,
        key: ResourceKey,
        into batch: inout Batch,
        now: Date
    ) async throws -> WriteOutcome {
        let known = try await generation(replacing: bytes, key: key)
        var metadata = desired.metadata
        metadata.namespace = key.namespace
        metadata.generation = known.generation
        metadata.uid = metadata.uid ?? known.previous?.uid ?? UUID().uuidString.lowercased()
        metadata.creationTimestamp = metadata.creationTimestamp ?? known.previous?.creationTimestamp ?? now
        // A file that parses keeps its status: only the consumer writes it.
        let status = (try? ResourceDocument(bytes: bytes, path: key.repositoryPath))?.root[ResourceDocument.statusKey]
        let document = try newDocument(desired, key: key, metadata: metadata, spec: spec, status: status)
        logger.warning(
            "replacing the unreadable file of \(key) at generation \(known.generation): \(error)",
            metadata: ["resource": "\(key)"]
        )
        batch.put(
            key.repositoryPath,
            YAMLWriter().writeBytes(document),
            trailer: Trailer(CommitTrailers.apply, "\(key) generation=\(known.generation)")
        )
        return .configured(generation: known.generation)
    }

    /// The generation an apply gives a resource whose live file (`bytes`)
    /// cannot be read: one past the highest generation known for it, so
    /// that it never goes back —
    /// - `metadata.generation` as far as it can be read from the text
    ///   (``generationText(in:)``);
    /// - the generation of the newest version of the file that reads, in
    ///   the last ``generationLookBack`` commits that changed it, and the
    ///   generations those commits' `Giter-Apply` trailers state;
    /// - else 1: nothing readable is known of the resource.
    ///
    /// Also the newest readable version's metadata, for its `uid` and
    /// `creationTimestamp`.
    func generation(replacing bytes: [UInt8], key: ResourceKey) async throws -> (
        generation: Int64, previous: ObjectMeta?
    ) {
        let path = key.repositoryPath
        var highest = Self.generationText(in: bytes) ?? 0
        if let parsed = try? ResourceDocument(bytes: bytes, path: path) {
            highest = max(highest, ResourceDocument.generation(in: parsed.root))
        }
        var previous: ObjectMeta?
        guard let tip else { return (highest + 1, nil) }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }
        let subject = "\(key) generation="
        for commit in try await transport.history(of: path, from: tip, limit: Self.generationLookBack) {
            for trailer in commit.trailers where trailer.key == CommitTrailers.apply && trailer.value.hasPrefix(subject)
            {
                if let number = Int64(trailer.value.dropFirst(subject.count)) { highest = max(highest, number) }
            }
            guard
                let entry = try await transport.treeEntries(at: commit.id, under: folder).first(where: {
                    $0.path == path
                }),
                entry.mode.isFile,
                let document = try? ResourceDocument(bytes: try await transport.blob(entry.id), path: path)
            else { continue }
            highest = max(highest, ResourceDocument.generation(in: document.root))
            // Readable: it parses and its metadata decodes.
            guard
                let metadata = try? DocumentDecoder().decode(
                    ObjectMeta.self,
                    from: document.root[ResourceDocument.metadataKey] ?? .null
                )
            else { continue }
            previous = metadata
            break
        }
        return (highest + 1, previous)
    }

    /// `metadata.generation` read line by line from a file that does not
    /// parse as a whole: the value of a `generation:` key, written as a plain
    /// integer, at the indentation of the first key under a top-level
    /// `metadata:` line (block style, as Giter writes it); `nil` when there
    /// is none.
    static func generationText(in bytes: [UInt8]) -> Int64? {
        let text = String(decoding: bytes.prefix(1 << 20), as: UTF8.self)
        var inMetadata = false
        var indent: Int?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.prefix { $0 != "#" }
            let content = line.drop { $0 == " " }
            if content.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let width = line.count - content.count
            if width == 0 {
                if inMetadata { return nil }
                inMetadata = content.withoutBlanks == "metadata:"
                continue
            }
            guard inMetadata else { continue }
            if indent == nil { indent = width }
            guard width == indent, content.hasPrefix("generation:") else { continue }
            return Int64(content.dropFirst("generation:".count).withoutBlanks)
        }
        return nil
    }
}

extension Substring {
    fileprivate var withoutBlanks: Substring {
        var slice = self
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" || slice.last == "\r" { slice = slice.dropLast() }
        return slice
    }
}
