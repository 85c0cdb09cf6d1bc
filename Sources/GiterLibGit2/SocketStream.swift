internal import CLibGit2
import GiterLocalGit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plain TCP stream under every network conversation libgit2 has in
/// this process (`git://`, `http://`, and beneath TLS and SSH), registered
/// in place of libgit2's own when Giter initialises libgit2.
///
/// It does what libgit2's stream does (resolve, try each address, blocking
/// reads and writes, no retry on `EINTR`, so ``NetworkDeadline`` still
/// ends a stuck call) and two things more:
///
/// - `TCP_NODELAY`: a write goes out at once instead of waiting for the
///   acknowledgement of the previous one (Nagle's algorithm). libgit2
///   writes a push's commands and the start of its pack in separate calls,
///   and the server, waiting for the rest, delays its acknowledgement.
/// - `TCP_QUICKACK` before each read (Linux only; the kernel clears it
///   again by itself): what arrives is acknowledged at once. A server such
///   as `git upload-pack` writes its answer to a round of negotiation as
///   many small packets; with the client's acknowledgement delayed, the
///   server's own Nagle holds the last of them back.
///
/// Each stall lasts the kernel's delayed-acknowledgement timer, 40 ms on
/// Linux: measured against `git daemon` on loopback, a push took 61 ms
/// with libgit2's stream and 16–18 ms with both options; a fetch that
/// negotiates (a mirror with 20 commits or more) 50–55 ms and 8–12 ms.
/// See `Documentation/Backends.md`.
///
/// The layout is libgit2's own (`giter_socket_stream` in the shim): its
/// SSH transport hands the socket of the standard stream to libssh2. With
/// libgit2 1.7 or later, the server time limits a host app sets
/// (`GIT_OPT_SET_SERVER_CONNECT_TIMEOUT`, `GIT_OPT_SET_SERVER_TIMEOUT`),
/// which libgit2 applies only in its own stream, become the socket's send
/// and receive time limits. ``LibGit2Transport/useLibGit2SocketStream()``
/// gives libgit2 its own stream back.
enum SocketStream {
    /// Called with the host and port of each connection the stream opens:
    /// tests set it to prove that libgit2's transports go through it.
    static let connectionObserver = Mutex<(@Sendable (_ host: String, _ port: String) -> Void)?>(nil)

    /// Registers the stream for `GIT_STREAM_STANDARD`; libgit2's result.
    static func register() -> Int32 {
        var registration = git_stream_registration()
        registration.version = GIT_STREAM_VERSION
        registration.`init` = { out, host, port in
            guard let out, let host, let port else { return -1 }
            guard let stream = SocketStream.makeStream(host: host, port: port) else {
                git_error_set_oom()
                return -1
            }
            out.pointee = stream
            return 0
        }
        return git_stream_register(GIT_STREAM_STANDARD, &registration)
    }

    /// A new, unconnected stream to `host`:`port`, owned by libgit2 until it
    /// calls its `free`; nil when memory runs out.
    static func makeStream(host: UnsafePointer<CChar>, port: UnsafePointer<CChar>) -> UnsafeMutablePointer<git_stream>? {
        guard let hostCopy = strdup(host) else { return nil }
        guard let portCopy = strdup(port) else {
            free(hostCopy)
            return nil
        }
        let stream = UnsafeMutablePointer<giter_socket_stream>.allocate(capacity: 1)
        stream.initialize(to: giter_socket_stream())
        stream.pointee.host = hostCopy
        stream.pointee.port = portCopy
        stream.pointee.socket = -1
        stream.pointee.parent.version = GIT_STREAM_VERSION
        stream.pointee.parent.connect = { stream in stream.map { SocketStream.connect(SocketStream.container(of: $0)) } ?? -1 }
        stream.pointee.parent.read = { stream, buffer, length in
            guard let stream, let buffer else { return -1 }
            return SocketStream.read(SocketStream.container(of: stream), into: buffer, length: length)
        }
        stream.pointee.parent.write = { stream, data, length, flags in
            guard let stream, let data else { return -1 }
            return SocketStream.write(SocketStream.container(of: stream), data, length: length, flags: flags)
        }
        stream.pointee.parent.close = { stream in stream.map { SocketStream.close(SocketStream.container(of: $0)) } ?? 0 }
        stream.pointee.parent.free = { stream in
            guard let stream else { return }
            let container = SocketStream.container(of: stream)
            // libgit2 closes before it frees; a stream freed open is closed here.
            _ = SocketStream.close(container)
            free(container.pointee.host)
            free(container.pointee.port)
            container.deinitialize(count: 1)
            container.deallocate()
        }
        return stream.pointer(to: \.parent)!
    }

    /// The stream whose first field `stream` is.
    private static func container(of stream: UnsafeMutablePointer<git_stream>) -> UnsafeMutablePointer<giter_socket_stream> {
        UnsafeMutableRawPointer(stream).assumingMemoryBound(to: giter_socket_stream.self)
    }

    private static func connect(_ stream: UnsafeMutablePointer<giter_socket_stream>) -> Int32 {
        guard let host = stream.pointee.host, let port = stream.pointee.port else { return -1 }
        var connectLimit: Int32 = 0
        var limit: Int32 = 0
        giter_server_time_limits(&connectLimit, &limit)
        let hostName = String(cString: host)
        switch TCPSocket.connect(host: hostName, port: String(cString: port), connectLimit: connectLimit, ioLimit: limit) {
        case .success(let descriptor):
            stream.pointee.socket = descriptor
            if let observe = connectionObserver.withLock({ $0 }) { observe(hostName, String(cString: port)) }
            return 0
        case .failure(let failure) where failure.resolving:
            setError(GIT_ERROR_NET, "failed to resolve address for \(hostName): \(failure.reason)")
            return -1
        case .failure(let failure):
            // libgit2 words an OS error with the system's reason after it.
            setError(GIT_ERROR_OS, "failed to connect to \(hostName): \(failure.reason)")
            return -1
        }
    }

    private static func read(
        _ stream: UnsafeMutablePointer<giter_socket_stream>, into buffer: UnsafeMutableRawPointer, length: Int
    ) -> Int {
        let descriptor = stream.pointee.socket
        TCPSocket.acknowledgeQuickly(descriptor)
        let count = recv(descriptor, buffer, length, 0)
        if count < 0 {
            let failure = errno
            setError(GIT_ERROR_NET, "error receiving socket data: \(String(cString: strerror(failure)))")
        }
        return count
    }

    private static func write(
        _ stream: UnsafeMutablePointer<giter_socket_stream>, _ data: UnsafePointer<CChar>, length: Int, flags: Int32
    ) -> Int {
        #if canImport(Glibc)
        let flags = flags | Int32(MSG_NOSIGNAL)
        #endif
        let count = send(stream.pointee.socket, data, length, flags)
        if count < 0 {
            let failure = errno
            setError(GIT_ERROR_NET, "error sending data: \(String(cString: strerror(failure)))")
        }
        return count
    }

    private static func close(_ stream: UnsafeMutablePointer<giter_socket_stream>) -> Int32 {
        let descriptor = stream.pointee.socket
        stream.pointee.socket = -1
        return descriptor < 0 ? 0 : closeDescriptor(descriptor)
    }

    private static func closeDescriptor(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
    }

    private static func setError(_ errorClass: git_error_t, _ message: String) {
        _ = git_error_set_str(Int32(errorClass.rawValue), message)
    }
}
