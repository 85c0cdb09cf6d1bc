#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every C library call of the SSH signers, for Linux and Darwin, in one
/// place: reading a key file and talking to `ssh-agent` over its
/// Unix-domain socket. The other `SSH*` files import no C library.
enum SSHSystem {
    /// The bytes of the file at `path`; ``SigningError/Code/io`` when it
    /// cannot be read or is longer than `limit`.
    static func readFile(at path: String, limit: Int) throws(SigningError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SigningError(.io, "cannot open the key file \(path): \(errorText(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SigningError(.io, "cannot read the key file \(path): \(errorText(errno))")
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            guard bytes.count <= limit else {
                throw SigningError(.io, "the key file \(path) is longer than \(limit) bytes: it is not an SSH key")
            }
        }
    }

    /// Sends one agent message (`request`, without its length) to the
    /// agent at `socketPath` and returns its answer (without its length).
    ///
    /// Blocks for at most about `timeout` per read or write; an answer
    /// longer than `maximumAnswer` is refused. Throws
    /// ``SigningError/Code/agent``.
    static func agentExchange(
        socketPath: String, request: [UInt8], timeout: Duration, maximumAnswer: Int
    ) throws(SigningError) -> [UInt8] {
        let descriptor = try openConnection(to: socketPath, timeout: timeout)
        defer { close(descriptor) }
        var framed = SSHWireWriter()
        framed.write(string: request)
        try sendAll(framed.bytes, on: descriptor, socketPath: socketPath)
        var header = SSHWireReader(
            try receiveExactly(count: 4, on: descriptor, socketPath: socketPath), code: .agent, subject: "the ssh-agent answer")
        let length = try header.readUInt32()
        guard length > 0, UInt64(length) <= UInt64(maximumAnswer) else {
            throw SigningError(.agent, "ssh-agent at \(socketPath) answered with \(length) bytes; expected 1 to \(maximumAnswer)")
        }
        return try receiveExactly(count: Int(length), on: descriptor, socketPath: socketPath)
    }

    private static func openConnection(to socketPath: String, timeout: Duration) throws(SigningError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity, !pathBytes.contains(0) else {
            throw SigningError(.agent, "SSH_AUTH_SOCK '\(socketPath)' is not a usable socket path (at most \(capacity - 1) bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        #if canImport(Darwin)
        let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard descriptor >= 0 else {
            throw SigningError(.agent, "cannot make a socket to reach ssh-agent: \(errorText(errno))")
        }
        var limit = timeval(
            tv_sec: .init(timeout.components.seconds),
            tv_usec: .init(timeout.components.attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw SigningError(
                .agent,
                "cannot reach ssh-agent at \(socketPath) (SSH_AUTH_SOCK): \(errorText(code)); start ssh-agent and "
                    + "`ssh-add` the key, or set SSH_AUTH_SOCK to its socket")
        }
        return descriptor
    }

    private static func sendAll(_ bytes: [UInt8], on descriptor: Int32, socketPath: String) throws(SigningError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress, raw.count, noSignal)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SigningError(.agent, "cannot write to ssh-agent at \(socketPath): \(timeoutText(errno))")
            }
            offset += count
        }
    }

    private static func receiveExactly(count: Int, on descriptor: Int32, socketPath: String) throws(SigningError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress! + offset, count - offset, 0)
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw SigningError(.agent, "cannot read from ssh-agent at \(socketPath): \(timeoutText(errno))")
            }
            if received == 0 {
                throw SigningError(.agent, "ssh-agent at \(socketPath) closed the connection before it answered")
            }
            offset += received
        }
        return bytes
    }

    /// `send` flags: no SIGPIPE when the agent has gone (Darwin sets `SO_NOSIGPIPE` on the socket instead).
    #if canImport(Darwin)
    private static let noSignal: Int32 = 0
    #else
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #endif

    private static func timeoutText(_ code: Int32) -> String {
        code == EAGAIN || code == EWOULDBLOCK ? "it did not answer in time" : errorText(code)
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
