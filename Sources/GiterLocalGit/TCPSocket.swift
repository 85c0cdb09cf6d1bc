#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The TCP sockets both backends open to a Git server: libgit2's stream
/// (`SocketStream`) and the git CLI's relay to `git daemon`
/// (``SocketRelay``). One connect, one set of options, so the two backends
/// talk to a server the same way.
///
/// Each socket gets `TCP_NODELAY` once connected, and a reader calls
/// ``acknowledgeQuickly(_:)`` before each read. Without them a Git
/// conversation stalls for the kernel's delayed-acknowledgement timer
/// (40 ms on Linux) at each turn of the protocol: Nagle's algorithm holds a
/// small write back until the peer acknowledges the previous one, and the
/// peer, waiting for more, delays that acknowledgement.
package enum TCPSocket {
    /// Why a connection could not be made.
    package struct Failure: Error, Sendable {
        /// Resolving the name failed (not an OS error).
        package var resolving: Bool
        /// The reason in words: `gai_strerror` or `strerror`.
        package var reason: String
        /// The OS error of the last address tried (0 when resolving failed).
        package var code: Int32
    }

    /// Resolves `host`, tries each address in turn and returns the first
    /// connected socket: close-on-exec, `TCP_NODELAY` on (on Darwin, never
    /// raising SIGPIPE either). A connect interrupted by a signal ends the
    /// attempt instead of trying the next address.
    ///
    /// - Parameters:
    ///   - connectLimit: Bounds each `connect` (Linux; as `SO_SNDTIMEO`), in milliseconds; 0 is none.
    ///   - ioLimit: Then the socket's send and receive time limits, in milliseconds; 0 is none.
    package static func connect(host: String, port: String, connectLimit: Int32 = 0, ioLimit: Int32 = 0)
        -> Result<Int32, Failure>
    {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var addresses: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &addresses)
        guard resolved == 0 else {
            return .failure(Failure(resolving: true, reason: String(cString: gai_strerror(resolved)), code: 0))
        }
        defer { freeaddrinfo(addresses) }
        var candidate = addresses
        var failure: Int32 = 0
        while let address = candidate {
            candidate = address.pointee.ai_next
            let descriptor = openSocket(address.pointee)
            guard descriptor >= 0 else {
                failure = errno
                continue
            }
            if connectLimit > 0 { setTimeLimit(descriptor, SO_SNDTIMEO, milliseconds: connectLimit) }
            #if canImport(Glibc)
            let connected = Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
            #else
            let connected = Darwin.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
            #endif
            if connected == 0 {
                setOption(descriptor, TCP_NODELAY)
                if connectLimit > 0 || ioLimit > 0 {
                    setTimeLimit(descriptor, SO_SNDTIMEO, milliseconds: ioLimit)
                    setTimeLimit(descriptor, SO_RCVTIMEO, milliseconds: ioLimit)
                }
                return .success(descriptor)
            }
            failure = errno
            _ = close(descriptor)
            if failure == EINTR { break }
        }
        return .failure(Failure(resolving: false, reason: String(cString: strerror(failure)), code: failure))
    }

    /// Asks the kernel to acknowledge what arrives next at once (Linux's
    /// `TCP_QUICKACK`, which the kernel clears again by itself, so it is set
    /// before each read); nothing elsewhere.
    package static func acknowledgeQuickly(_ descriptor: Int32) {
        #if os(Linux)
        setOption(descriptor, Int32(TCP_QUICKACK))
        #endif
    }

    /// Turns on `SO_KEEPALIVE`, as `git` does on its own `git://`
    /// connections, so a peer that vanished is noticed in the end.
    package static func keepAlive(_ descriptor: Int32) {
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A close-on-exec socket for `address` (on Darwin, one that never
    /// raises SIGPIPE either); -1 when the system refuses one.
    private static func openSocket(_ address: addrinfo) -> Int32 {
        #if canImport(Glibc)
        return socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
        #else
        let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        guard descriptor >= 0 else { return descriptor }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
        #endif
    }

    /// Turns on the TCP option `name`; a socket that refuses it works as
    /// before, only slower.
    private static func setOption(_ descriptor: Int32, _ name: Int32) {
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), name, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sets the socket's send or receive time limit (`SO_SNDTIMEO`,
    /// `SO_RCVTIMEO`; 0 is none). On Linux a send limit also bounds `connect`.
    private static func setTimeLimit(_ descriptor: Int32, _ option: Int32, milliseconds: Int32) {
        var limit = timeval(tv_sec: .init(milliseconds / 1000), tv_usec: .init(milliseconds % 1000 * 1000))
        _ = setsockopt(descriptor, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
}
