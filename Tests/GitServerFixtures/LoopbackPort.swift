#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// TCP ports on 127.0.0.1: picking a free one and checking whether something
/// accepts connections.
public enum LoopbackPort {
    /// A port that was free a moment ago: a socket is bound to `127.0.0.1:0`,
    /// the kernel's choice is read and the socket closed.
    ///
    /// Another process may take the port before the server binds it; servers
    /// therefore retry their start on a new port.
    public static func free() throws -> Int {
        let (descriptor, port) = try bound()
        close(descriptor)
        return port
    }

    /// Runs `body` with a port that refuses every connection: a socket is
    /// bound to it and never listens, so no other server can take the port
    /// while `body` runs (as it could take a ``free()`` one in a parallel run).
    public static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let (descriptor, port) = try bound()
        defer { close(descriptor) }
        return try await body(port)
    }

    /// Runs `body` with a port where a server accepts connections and then
    /// says nothing: a socket is bound and listens, and never accepts, so
    /// the kernel completes each client's connection and no byte ever comes
    /// back. What a hung server or a proxy that lost its upstream looks like.
    public static func withSilentPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let (descriptor, port) = try bound()
        defer { close(descriptor) }
        guard listen(descriptor, 64) == 0 else { throw FixtureError("listen() failed: errno \(errno)") }
        return try await body(port)
    }

    /// A socket bound to `127.0.0.1:0`, and the port the kernel chose.
    private static func bound() throws -> (descriptor: Int32, port: Int) {
        let descriptor = makeSocket()
        guard descriptor >= 0 else {
            throw FixtureError("socket() failed: errno \(errno)")
        }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw FixtureError("bind(127.0.0.1:0) failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard named == 0 else {
            close(descriptor)
            throw FixtureError("getsockname failed: errno \(errno)")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Whether a TCP connection to `127.0.0.1:port` succeeds right now.
    public static func isAccepting(_ port: Int) -> Bool {
        let descriptor = makeSocket()
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }

    private static func makeSocket() -> Int32 {
        #if canImport(Darwin)
        return socket(AF_INET, SOCK_STREAM, 0)
        #else
        return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }
}
