internal import CLibGit2
import Giter
import GiterLocalGit
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A libgit2 return code, as a value (`GIT_ENOTFOUND`, `GIT_EAUTH`…).
///
/// A struct, not an exhaustive enum: libgit2 adds codes between versions.
struct LibGit2Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    static let ok = LibGit2Code(rawValue: 0)
    static let genericError = LibGit2Code(rawValue: GIT_ERROR.rawValue)
    static let notFound = LibGit2Code(rawValue: GIT_ENOTFOUND.rawValue)
    static let exists = LibGit2Code(rawValue: GIT_EEXISTS.rawValue)
    static let nonFastForward = LibGit2Code(rawValue: GIT_ENONFASTFORWARD.rawValue)
    static let locked = LibGit2Code(rawValue: GIT_ELOCKED.rawValue)
    static let modified = LibGit2Code(rawValue: GIT_EMODIFIED.rawValue)
    static let authentication = LibGit2Code(rawValue: GIT_EAUTH.rawValue)
    static let certificate = LibGit2Code(rawValue: GIT_ECERTIFICATE.rawValue)
    static let user = LibGit2Code(rawValue: GIT_EUSER.rawValue)
    static let passthrough = LibGit2Code(rawValue: GIT_PASSTHROUGH.rawValue)
    static let iterationOver = LibGit2Code(rawValue: GIT_ITEROVER.rawValue)

    var description: String { "libgit2 error \(rawValue)" }
}

/// What libgit2 reported for a failed call: its code, error class and message.
struct LibGit2Failure: Error, Sendable, CustomStringConvertible {
    var code: LibGit2Code
    /// The `git_error_t` class (`GIT_ERROR_NET`, `GIT_ERROR_SSH`…).
    var errorClass: Int32
    var message: String

    var description: String { "\(message) (code \(code.rawValue), class \(errorClass))" }
}

/// The entry points every libgit2 call goes through: one-time library
/// initialisation and return-code checking.
enum LibGit2 {
    /// `git_libgit2_init`, run once per process on first use (Swift runs
    /// global initialisers exactly once, thread-safely); then empties the
    /// search paths of the system, XDG, global and program-data
    /// configuration files, so the machine's git configuration (say a
    /// `url.<base>.insteadOf`) never changes what a transport does.
    ///
    /// It also makes the process ignore SIGPIPE unless the application chose
    /// what to do with it (`Platform.ignoreBrokenPipes()`): libgit2 writes
    /// to its sockets without `MSG_NOSIGNAL`, so a connection cut in the
    /// middle of a push used to kill the host process (found by the soak);
    /// now the push fails with a `TransportError` and the store retries it.
    ///
    /// It caps libgit2's object cache at ``defaultObjectCacheLimit``, and
    /// puts ``SocketStream`` under libgit2's network transports (no 40 ms
    /// stalls between a write and the next, or between a server's packets).
    private static let initialization: Int32 = {
        Platform.ignoreBrokenPipes()
        let result = git_libgit2_init()
        guard result >= 0 else { return result }
        let levels = [GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA]
        for level in levels {
            let status = giter_set_config_search_path(level.rawValue, "")
            if status < 0 { return status }
        }
        let status = giter_set_cache_max_size(defaultObjectCacheLimit)
        if status < 0 { return status }
        let registered = SocketStream.register()
        if registered < 0 { return registered }
        return result
    }()

    /// The most libgit2's object cache (parsed commits and trees, shared by
    /// every repository of the process) may count, in bytes: 4 MiB instead
    /// of libgit2's 256 MiB. The cache counts an object's raw size, and a
    /// parsed tree takes two to four times that, so under the default a
    /// consumer of 20,000 resources kept about 80 MB of trees it had walked
    /// once (heap at its peak 143 MB; 76 MB with this limit). A tree walk reads each tree at most
    /// twice (as the new side of one diff, then the old side of the next),
    /// so a small cache loses little. See `Documentation/Backends.md`.
    static let defaultObjectCacheLimit = 4 << 20

    /// See ``LibGit2Transport/setObjectCacheLimit(bytes:)``.
    static func setObjectCacheLimit(bytes: Int) throws(TransportError) {
        try initialize()
        try check(giter_set_cache_max_size(bytes), "set the object cache limit to \(bytes) bytes")
    }

    /// The CA file set with ``trustCertificateAuthorities(file:)``, if any.
    private static let trustedAuthorities = Mutex<String?>(nil)

    /// See ``LibGit2Transport/trustCertificateAuthorities(file:)``.
    static func trustCertificateAuthorities(file: String) throws(TransportError) {
        try initialize()
        let result: Result<Void, TransportError> = trustedAuthorities.withLock { current in
            if let current {
                guard current == file else {
                    return .failure(
                        TransportError(
                            .invalidArgument,
                            "libgit2 already trusts the certificate authorities of \(current) for this process; "
                                + "it cannot switch to \(file) (use the git backend for remotes with different CAs)"))
                }
                return .success(())
            }
            guard FileManager.default.isReadableFile(atPath: file) else {
                return .failure(TransportError(.invalidArgument, "cannot read the certificate authority file \(file)"))
            }
            let status = giter_set_ssl_cert_file(file)
            guard status >= 0 else {
                return .failure(
                    transportError(for: lastFailure(status), action: "trust the certificate authorities in \(file)", remote: nil))
            }
            current = file
            return .success(())
        }
        try result.get()
    }

    /// See ``LibGit2Transport/useLibGit2SocketStream()``.
    static func useLibGit2SocketStream() throws(TransportError) {
        try initialize()
        try check(git_stream_register(GIT_STREAM_STANDARD, nil), "give libgit2 its own socket stream back")
    }

    /// See ``LibGit2Transport/objectCacheUsage()``.
    static func objectCacheUsage() throws(TransportError) -> (used: Int, limit: Int) {
        try initialize()
        var used = 0
        var limit = 0
        try check(giter_get_cached_memory(&used, &limit), "read the object cache's size")
        return (used, limit)
    }

    /// Initialises libgit2 if that has not happened yet.
    static func initialize() throws(TransportError) {
        if initialization < 0 {
            throw TransportError(.backend, "libgit2 could not be initialised (git_libgit2_init returned \(initialization))")
        }
    }

    /// Checks the return code of a libgit2 call.
    ///
    /// On failure, reads `git_error_last()` at once (on the calling thread:
    /// libgit2 keeps its error state per thread) and throws a
    /// `TransportError` saying what was being done. Codes in `allowed`
    /// are returned instead of thrown, with the error state cleared.
    @discardableResult
    static func check(
        _ result: Int32,
        _ action: @autoclosure () -> String,
        allowing allowed: Set<LibGit2Code> = [],
        remote: String? = nil
    ) throws(TransportError) -> LibGit2Code {
        if result >= 0 { return .ok }
        let failure = lastFailure(result)
        let code = LibGit2Code(rawValue: result)
        if allowed.contains(code) {
            git_error_clear()
            return code
        }
        throw transportError(for: failure, action: action(), remote: remote)
    }

    /// The failure libgit2 recorded for a call that returned `result`.
    static func lastFailure(_ result: Int32) -> LibGit2Failure {
        var message = "no details from libgit2"
        var errorClass: Int32 = 0
        if let last = git_error_last() {
            errorClass = last.pointee.klass
            if let text = last.pointee.message {
                message = String(cString: text)
            }
        }
        git_error_clear()
        return LibGit2Failure(code: LibGit2Code(rawValue: result), errorClass: errorClass, message: message)
    }

    /// Maps a libgit2 failure to a `TransportError` code.
    static func transportError(for failure: LibGit2Failure, action: String, remote: String?) -> TransportError {
        let text = failure.message.lowercased()
        let code: TransportError.Code
        switch failure.code {
        case .authentication:
            code = .authenticationFailed
        case .certificate:
            code = .unknownHostKey
        default:
            if isUnreachable(text, errorClass: failure.errorClass) {
                code = .unreachable
            } else if remote != nil && isMissingRepository(text) {
                code = .repositoryNotFound
            } else if failure.code == .notFound {
                code = .objectNotFound
            } else if text.contains("authentication") || text.contains("401") {
                code = .authenticationFailed
            } else {
                code = .backend
            }
        }
        return TransportError(code, "cannot \(action): \(failure.message)", remote: remote, underlying: failure)
    }

    private static func isUnreachable(_ text: String, errorClass: Int32) -> Bool {
        let netClasses = [GIT_ERROR_NET.rawValue, GIT_ERROR_OS.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_HTTP.rawValue]
        guard netClasses.contains(UInt32(bitPattern: errorClass)) else { return false }
        return text.contains("connection refused") || text.contains("failed to connect")
            || text.contains("failed to resolve") || text.contains("could not resolve")
            || text.contains("timed out") || text.contains("network is unreachable")
            || text.contains("no route to host")
    }

    private static func isMissingRepository(_ text: String) -> Bool {
        text.contains("could not find repository") || text.contains("not a git repository")
            || text.contains("repository not found") || text.contains("does not appear to be a git repository")
            || text.contains("not exported") || text.contains("no such repository") || text.contains("404")
            || text.contains("no such file or directory")
    }
}
