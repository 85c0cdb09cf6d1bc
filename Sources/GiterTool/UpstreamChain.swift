import Foundation
import Giter
import GiterCodec

/// The "Upstream:" section of `giter describe`: the resources a resource was
/// made from, one ``Provenance`` hop at a time.
///
/// Every annotation is read from a repository, so it is untrusted: each value
/// is checked (size, characters, form) before it is printed or used, a
/// repository URL is followed only when the command's own options reach it
/// (``reachability(of:)``), the chain has at most ``maxHops`` hops, and a
/// repository met twice for the same resource ends it as a loop. Whatever
/// ends the chain — no further source, a bad annotation, an unreachable
/// repository, a commit or file that is missing — is one line, never an error
/// of the command.
struct UpstreamChain {
    /// How many sources are followed at most.
    static let maxHops = 8
    /// The longest annotation value read.
    static let maxValueLength = 2048
    /// The largest source file read.
    static let maxFileBytes = 1 << 20

    /// One validated set of provenance annotations.
    struct Source: Equatable {
        var repository: String
        var branch: String
        var commit: ObjectID
        var key: ResourceKey
        var generation: Int64
        var specDigest: String
    }

    /// How a source repository is reached.
    enum Reach: Equatable {
        /// The exchange the command describes.
        case same
        /// Another repository, fetched into a mirror of its own with the command's options.
        case follow
        /// Not followed, and why.
        case refused(String)
    }

    /// The exchange describe was given.
    let exchange: Exchange
    let options: ExchangeOptions

    /// The section, or `""` when `annotations` name no source.
    func section(for annotations: [String: String]) async -> String {
        guard Provenance.keys.contains(where: { annotations[$0] != nil }) else { return "" }
        var text = "Upstream:\n"
        var current = annotations
        var seen: Set<String> = []
        var transports: [String: any Transport] = [:]
        for hop in 1...Self.maxHops {
            let source: Source
            switch Self.source(in: current) {
            case .failure(let failure):
                return text + "  End: \(failure.message)\n"
            case .success(let parsed):
                source = parsed
            }
            text += "  \(hop). \(source.key) (generation \(source.generation))\n"
            text += "     Repository:  \(source.repository) (branch \(source.branch))\n"
            text += "     Commit:      \(source.commit.hex)\n"
            text += "     Spec Digest: \(source.specDigest)\n"
            let place =
                LocalPath.isLocal(source.repository) ? LocalPath.stripFileScheme(source.repository) : source.repository
            let identity = "\(place)\n\(source.branch)\n\(source.key)"
            guard seen.insert(identity).inserted else {
                return text + "  End: a loop: \(source.key) in \(source.repository) was shown above\n"
            }
            let transport: any Transport
            let mirrorKey = "\(place)\n\(source.branch)"
            if let known = transports[mirrorKey] {
                transport = known
            } else {
                switch reachability(of: source) {
                case .refused(let reason):
                    return text + "  End: not followed: \(reason)\n"
                case .same:
                    transport = exchange.transport
                case .follow:
                    do {
                        transport = try await open(source)
                    } catch {
                        return text + "  End: \(source.repository) is unreachable: \(Self.oneLine(error))\n"
                    }
                }
                transports[mirrorKey] = transport
            }
            let document: DynamicResource
            do {
                guard let read = try await resource(source, in: transport) else {
                    return text + "  End: \(source.key) is not in \(source.repository) at \(source.commit.short)\n"
                }
                document = read
            } catch {
                return text + "  End: \(Self.oneLine(error))\n"
            }
            var checks: [String] = []
            if let digest = try? Provenance.specDigest(of: document.spec), digest == source.specDigest {
                checks.append("digest matches")
            } else {
                checks.append("DIGEST DIFFERS")
            }
            if document.metadata.generation != source.generation {
                checks.append(
                    "GENERATION DIFFERS (\(document.metadata.generation.map(String.init) ?? "none") at that commit)"
                )
            }
            text += "     Check:       \(checks.joined(separator: ", "))\n"
            guard let next = document.metadata.annotations,
                Provenance.keys.contains(where: { next[$0] != nil })
            else {
                return text + "  End: \(source.key) has no source\n"
            }
            current = next
        }
        return text + "  End: not followed past \(Self.maxHops) sources\n"
    }

    /// The provenance in `annotations`, checked, or what is wrong with it.
    static func source(in annotations: [String: String]) -> Result<Source, Failure> {
        for key in Provenance.keys {
            guard let value = annotations[key] else { return .failure(Failure("the annotation \(key) is missing")) }
            guard value.utf8.count <= maxValueLength,
                !value.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) })
            else {
                return .failure(
                    Failure("the annotation \(key) is not valid (too long, or holds control or format characters)")
                )
            }
        }
        let repository = annotations[Provenance.repository] ?? ""
        let branch = annotations[Provenance.branch] ?? ""
        guard !repository.isEmpty, !repository.hasPrefix("-") else {
            return .failure(Failure("the annotation \(Provenance.repository) is not a repository URL"))
        }
        guard !Provenance.holdsCredential(repository) else {
            return .failure(Failure("the annotation \(Provenance.repository) holds a credential; it is not shown"))
        }
        guard isBranchName(branch) else {
            return .failure(Failure("the annotation \(Provenance.branch) is not a branch name"))
        }
        guard let commit = ObjectID(hex: annotations[Provenance.commit] ?? "") else {
            return .failure(Failure("the annotation \(Provenance.commit) is not a commit id"))
        }
        let parts = (annotations[Provenance.resource] ?? "").split(separator: "/", omittingEmptySubsequences: false)
        let key =
            parts.count == 3
            ? ResourceKey(namespace: String(parts[0]), kind: String(parts[1]), name: String(parts[2])) : nil
        guard let key, (try? key.validate()) != nil else {
            return .failure(Failure("the annotation \(Provenance.resource) is not <namespace>/<Kind>/<name>"))
        }
        guard let generation = Int64(annotations[Provenance.generation] ?? ""), generation > 0 else {
            return .failure(Failure("the annotation \(Provenance.generation) is not a generation"))
        }
        let digest = annotations[Provenance.specDigest] ?? ""
        let hex = digest.dropFirst("sha256:".count)
        guard digest.hasPrefix("sha256:"), hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            return .failure(Failure("the annotation \(Provenance.specDigest) is not sha256:<64 hex digits>"))
        }
        return .success(
            Source(
                repository: repository,
                branch: branch,
                commit: commit,
                key: key,
                generation: generation,
                specDigest: digest
            )
        )
    }

    /// Whether `source`'s repository is the described exchange, one the
    /// command's options reach, or one it does not follow.
    ///
    /// **Choice:** a source is followed when it is a local path given
    /// absolute (or `file://`) and the exchange is local too, or when it is
    /// a `git://`, `http(s)://` or `ssh://` URL on the same host (and port
    /// and user) as `--remote`: the credentials the command has are meant
    /// for that host, and are never offered to one a repository names.
    func reachability(of source: Source) -> Reach {
        let url = source.repository
        let local = LocalPath.isLocal(url)
        let path = local ? LocalPath.stripFileScheme(url) : url
        if path == exchange.url, source.branch == exchange.branch { return .same }
        if local {
            guard path.hasPrefix("/"), LocalPath.absolute(path) == path else {
                return .refused("\(url) is not an absolute path")
            }
            guard LocalPath.isLocal(exchange.url) else {
                return .refused("\(url) is a local path and --remote is not; describe it on the machine that holds it")
            }
            return .follow
        }
        guard let scheme = Self.scheme(of: url), ["git", "http", "https", "ssh"].contains(scheme) else {
            return .refused("\(url) is not a file://, git://, http(s):// or ssh:// URL")
        }
        guard let authority = Self.authority(of: url), authority == Self.authority(of: exchange.url),
            scheme == Self.scheme(of: exchange.url)
        else {
            return .refused("\(url) is not on the host of --remote; describe it with --remote naming that repository")
        }
        return .follow
    }

    /// A transport over a mirror of `source`'s repository, fetched.
    private func open(_ source: Source) async throws -> any Transport {
        let configuration = RemoteConfiguration(
            url: LocalPath.isLocal(source.repository)
                ? LocalPath.stripFileScheme(source.repository) : source.repository,
            branch: source.branch,
            mirrorPath: options.upstreamMirrorPath(for: source.repository, branch: source.branch),
            credentials: try options.credentials(),
            networkTimeLimit: options.networkTimeout.duration
        )
        let transport = try await options.backend.open(configuration)
        guard try await transport.fetch() != nil else {
            throw ToolError("it has no branch '\(source.branch)'")
        }
        return transport
    }

    /// The source resource at its commit (live or archived), `nil` when
    /// the commit or the file is not there.
    private func resource(_ source: Source, in transport: any Transport) async throws -> DynamicResource? {
        guard (try? await transport.commitObject(source.commit)) != nil else { return nil }
        for path in [source.key.repositoryPath, source.key.archivePath] {
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            guard
                let entry = try await transport.treeEntries(at: source.commit, under: folder).first(where: {
                    $0.path == path
                })
            else { continue }
            guard entry.mode.isFile else { throw ToolError("\(path) at \(source.commit.short) is not a file") }
            let bytes = try await transport.blob(entry.id)
            guard bytes.count <= Self.maxFileBytes else {
                throw ToolError("\(path) at \(source.commit.short) is larger than \(Self.maxFileBytes) bytes")
            }
            do {
                return try DocumentDecoder().decode(DynamicResource.self, fromYAML: Data(bytes))
            } catch {
                throw ToolError("\(path) at \(source.commit.short) cannot be read: \(Self.oneLine(error))")
            }
        }
        return nil
    }

    /// `git check-ref-format`'s main rules, enough to refuse what could be an option or a path.
    static func isBranchName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 255, !name.hasPrefix("-"), !name.hasPrefix("/"), !name.hasSuffix("/"),
            !name.hasSuffix(".lock"), !name.contains(".."), !name.contains("//"), !name.contains("@{")
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && $0.value > 0x20 && $0.value != 0x7f && !"~^:?*[\\".unicodeScalars.contains($0)
        }
    }

    private static func scheme(of url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        return url[..<range.lowerBound].lowercased()
    }

    /// `user@host:port` of a URL, lowercased.
    private static func authority(of url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        return url[range.upperBound...].prefix { $0 != "/" }.lowercased()
    }

    private static func oneLine(_ error: any Error) -> String {
        ErrorReporting.oneLine((error as? ToolError)?.message ?? "\(error)")
    }

    /// Why a chain ends.
    struct Failure: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
