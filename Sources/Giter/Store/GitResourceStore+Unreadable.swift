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
    /// mapping, over ``StoreOptions/maxFileBytes``), or whose `metadata`
    /// does not decode: its bytes, and why.
    case unreadable(bytes: [UInt8], StoreError)
    /// An entry that is not a regular file — a symbolic link or a gitlink
    /// (whose id names a commit, not a blob): never read, so no bytes; its
    /// mode, and the error that says so.
    case link(FileMode, StoreError)

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

    /// What an archive of an entry that is not a regular file fails with:
    /// stored under `archive/` it would become a regular file holding the
    /// link's text, which is not the live file moved unchanged.
    static func refusingArchive(_ error: StoreError) -> StoreError {
        StoreError(
            error.code,
            path: error.path,
            location: error.location,
            "\(error.message); it cannot be archived: apply the resource to replace it with a regular file, "
                + "or delete it",
            cause: error.cause
        )
    }
}

extension GitResourceStore {
    /// How many commits that changed a file an apply over its unreadable
    /// version looks back through for the last version that reads.
    static var generationLookBack: Int { 64 }

    /// An apply over the producer's own file that cannot be read (or is
    /// not a regular file: `bytes` is `nil`): the file is replaced by a new
    /// one written from `desired` (the contract lets the producer replace
    /// its own unreadable file; nothing of the old file is kept, but a
    /// status that still parses), at a generation that never goes back
    /// (``generation(replacing:key:contract:)``).
    func replace(
        unreadable bytes: [UInt8]?,
        _ error: StoreError,
        with desired: Resource,
        spec: Node,
        key: ResourceKey,
        into batch: inout Batch,
        now: Date,
        contract: Contract?
    ) async throws -> WriteOutcome {
        let known = try await generation(replacing: bytes, key: key, contract: contract)
        var metadata = desired.metadata
        metadata.namespace = key.namespace
        metadata.generation = known.generation
        metadata.uid = metadata.uid ?? known.previous?.uid ?? UUID().uuidString.lowercased()
        metadata.creationTimestamp = metadata.creationTimestamp ?? known.previous?.creationTimestamp ?? now
        // A file that parses keeps its status: only the consumer writes it.
        let status = bytes.flatMap { parsed($0, path: key.repositoryPath) }?.root[ResourceDocument.statusKey]
        let document = try newDocument(desired, key: key, metadata: metadata, spec: spec, status: status)
        logger.warning(
            "replacing the broken file of \(key) at generation \(known.generation): \(error)",
            metadata: ["resource": "\(key)"]
        )
        batch.put(
            key.repositoryPath,
            YAMLWriter().writeBytes(document),
            trailer: Trailer(CommitTrailers.apply, "\(key) generation=\(known.generation)")
        )
        return .configured(generation: known.generation)
    }

    /// The generation an apply gives a resource whose live file (`bytes`;
    /// `nil` for an entry that is not a regular file) cannot be read: one
    /// past the highest generation known for it, so that it never goes back —
    /// - `metadata.generation` as far as it can be read from the text
    ///   (``generationText(in:)``);
    /// - among the last ``generationLookBack`` commits that changed the
    ///   file, those believed — the producer's (``isProducers(_:key:contract:)``)
    ///   and those trusted as they stand (at or before the store's anchor);
    ///   a commit the contract refused may state anything: the generations
    ///   their `Giter-Apply` trailers state, and the generation of the
    ///   newest version of the file that reads;
    /// - else 1: nothing readable is known of the resource.
    ///
    /// Also the newest readable version's metadata, for its `uid` and
    /// `creationTimestamp`. Every version is parsed within
    /// ``StoreOptions/maxFileBytes``; a larger one is skipped unparsed.
    ///
    /// - Throws: ``StoreError/Code/invalidDocument`` when the highest
    ///   generation known is the largest there is (`Int64.max`): the write
    ///   fails alone (``WriteOutcome/failed(_:)``), never the process.
    func generation(replacing bytes: [UInt8]?, key: ResourceKey, contract: Contract?) async throws -> (
        generation: Int64, previous: ObjectMeta?
    ) {
        let path = key.repositoryPath
        var highest: Int64 = 0
        if let bytes {
            highest = Self.generationText(in: bytes) ?? 0
            if let document = parsed(bytes, path: path) {
                highest = max(highest, ResourceDocument.generation(in: document.root))
            }
        }
        var previous: ObjectMeta?
        if let tip {
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }
            let subject = "\(key) generation="
            // The commits of the file trusted as they stand: at or before the anchor. Listed when first needed.
            var trusted: Set<ObjectID>?
            for commit in try await transport.history(of: path, from: tip, limit: Self.generationLookBack) {
                if !isProducers(commit, key: key, contract: contract) {
                    if trusted == nil { trusted = try await trustedCommits(of: path) }
                    guard trusted?.contains(commit.id) == true else { continue }
                }
                for trailer in commit.trailers
                where trailer.key == CommitTrailers.apply && trailer.value.hasPrefix(subject) {
                    if let number = Int64(trailer.value.dropFirst(subject.count)) { highest = max(highest, number) }
                }
                guard
                    let entry = try await transport.treeEntries(at: commit.id, under: folder).first(where: {
                        $0.path == path
                    }),
                    entry.mode.isFile,
                    let document = parsed(try await transport.blob(entry.id), path: path)
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
        }
        return (try Self.generation(after: highest, key: key), previous)
    }

    /// `generation` + 1, or an error for that resource when there is none.
    static func generation(after generation: Int64, key: ResourceKey) throws(StoreError) -> Int64 {
        let (next, overflow) = max(generation, 0).addingReportingOverflow(1)
        guard overflow else { return next }
        throw StoreError(
            .invalidDocument, path: key.repositoryPath,
            "the generation of \(key) is \(generation), the largest there is: no later one can be given; "
                + "delete the resource and apply it anew")
    }

    /// The file `bytes` parsed within this store's limits; `nil` when it is
    /// over ``StoreOptions/maxFileBytes`` (never parsed) or does not parse.
    func parsed(_ bytes: [UInt8], path: String) -> ResourceDocument? {
        guard bytes.count <= options.maxFileBytes else { return nil }
        return try? ResourceDocument(bytes: bytes, path: path, limits: parseLimits)
    }

    /// The last ``generationLookBack`` commits that changed `path` at or
    /// before the store's anchor: the history trusted as it stands.
    func trustedCommits(of path: String) async throws -> Set<ObjectID> {
        guard let anchor else { return [] }
        return Set(try await transport.history(of: path, from: anchor, limit: Self.generationLookBack).map(\.id))
    }

    /// Whether `commit` is one the producer of `key` could make: its author
    /// is a member of a producer party covering `key` under the policy in
    /// force, or, without a policy, holds the producer role
    /// (``StoreOptions/roles``). What any other commit says of the
    /// resource's generation is not believed.
    func isProducers(_ commit: CommitInfo, key: ResourceKey, contract: Contract?) -> Bool {
        if let policy = contract?.policy {
            return policy.parties(of: commit.author.email).contains { $0.role == .producer && $0.covers(key) }
        }
        return (contract?.roles ?? options.roles).role(of: commit) == .producer
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

