#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Giter
package import Synchronization

/// Carries one conversation between a local process and a TCP server, with
/// the socket options of ``TCPSocket`` on the server's side.
///
/// The relay makes a pair of connected local sockets and hands one end,
/// ``localEnd``, to its caller (who gives it to the process). On a thread of
/// its own it connects to the server, writes the `greeting` the server
/// expects first, then copies bytes both ways until both directions have
/// ended or ``finish()`` is called. An end of file from one side becomes a
/// half close (`shutdown(SHUT_WR)`) towards the other, so neither side sees
/// the conversation end early.
///
/// Connecting happens on the relay's thread, so the caller never blocks on
/// the network, and the process starts while the connection is being made.
/// When the connection or the greeting fails, the relay records why
/// (``failure``) and closes its own end: the process sees the server hang
/// up, and the caller reports the recorded reason instead of the process's.
///
/// The relay owns both local sockets: ``localEnd`` stays open (the caller
/// hands it to a process, which gets a copy) until ``finish()`` closes it.
/// A `finish()` while the relay's thread is still resolving or connecting
/// takes effect once that returns: the connect's time limit bounds it on
/// Linux, the system's own connect time-out on Darwin.
package final class SocketRelay: Sendable {
    /// The end for the local process: close-on-exec, open until ``finish()``.
    package let localEnd: Int32

    private struct State {
        var localEnd: Int32
        var relayEnd: Int32
        var server: Int32 = -1
        var finished = false
        var failure: TCPSocket.Failure?
        /// Set when the thread has closed its sockets and ended.
        var ended = false
    }

    private let state: Mutex<State>
    /// Told when the thread has ended (for ``ended()``).
    private let endings = ChangeNotifier()

    /// Called on the relay's thread with the server socket, its host and
    /// port, once connected: tests set it to read the socket's options.
    package static let connectionObserver = Mutex<(@Sendable (_ socket: Int32, _ host: String, _ port: String) -> Void)?>(nil)

    /// Starts a relay to `host`:`port` that first sends `greeting`.
    ///
    /// - Parameters:
    ///   - connectLimit: Bounds the connect (Linux), in milliseconds; 0 is none.
    ///   - ioLimit: The server socket's send and receive time limits, in milliseconds; 0 is none.
    /// - Throws: The reason, when the local sockets or the thread cannot be made.
    package init(host: String, port: String, greeting: [UInt8], connectLimit: Int32, ioLimit: Int32) throws(TCPSocket.Failure) {
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let made = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
        #else
        let made = socketpair(AF_UNIX, SOCK_STREAM, 0, &pair)
        if made == 0 {
            for descriptor in pair {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            }
        }
        #endif
        guard made == 0 else {
            let code = errno
            throw TCPSocket.Failure(resolving: false, reason: String(cString: strerror(code)), code: code)
        }
        localEnd = pair[0]
        state = Mutex(State(localEnd: pair[0], relayEnd: pair[1]))
        let started = Self.startThread { [self] in
            self.run(host: host, port: port, greeting: greeting, connectLimit: connectLimit, ioLimit: ioLimit)
        }
        guard started == 0 else {
            _ = close(pair[0])
            _ = close(pair[1])
            throw TCPSocket.Failure(resolving: false, reason: String(cString: strerror(started)), code: started)
        }
    }

    /// Why the relay could not reach the server (resolve, connect or the
    /// greeting); nil while it could or is still trying.
    package var failure: TCPSocket.Failure? { state.withLock { $0.failure } }

    /// Whether the relay's thread has ended and closed its sockets (for tests).
    package var hasClosedItsSockets: Bool { state.withLock { $0.ended } }

    /// Returns once the relay's thread has closed its sockets and ended, or
    /// the task is cancelled (for tests).
    package func ended() async {
        let hints = endings.subscribe()
        if hasClosedItsSockets { return }
        for await _ in hints where hasClosedItsSockets { return }
    }

    /// Ends the relay: ``localEnd`` is closed, and the relay's sockets are
    /// shut down, which wakes its thread; it closes them and ends. Call it
    /// once the local process has ended (or could not start); calling it
    /// again does nothing. It does not wait for the thread.
    package func finish() {
        state.withLock { state in
            state.finished = true
            if state.localEnd >= 0 { _ = close(state.localEnd) }
            state.localEnd = -1
            if state.relayEnd >= 0 { _ = shutdown(state.relayEnd, Int32(SHUT_RDWR)) }
            if state.server >= 0 { _ = shutdown(state.server, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: The relay's thread

    private func run(host: String, port: String, greeting: [UInt8], connectLimit: Int32, ioLimit: Int32) {
        defer {
            state.withLock { state in
                if state.relayEnd >= 0 { _ = close(state.relayEnd) }
                if state.server >= 0 { _ = close(state.server) }
                state.relayEnd = -1
                state.server = -1
                state.ended = true
            }
            endings.notify()
        }
        let server: Int32
        switch TCPSocket.connect(host: host, port: port, connectLimit: connectLimit, ioLimit: ioLimit) {
        case .success(let descriptor):
            server = descriptor
        case .failure(let failure):
            state.withLock { $0.failure = failure }
            return
        }
        TCPSocket.keepAlive(server)
        let relayEnd: Int32? = state.withLock { state in
            state.server = server
            return state.finished ? nil : state.relayEnd
        }
        guard let relayEnd else { return }
        if let observe = Self.connectionObserver.withLock({ $0 }) { observe(server, host, port) }
        guard Self.sendAll(server, greeting[...]) else {
            let code = errno
            state.withLock { $0.failure = TCPSocket.Failure(resolving: false, reason: String(cString: strerror(code)), code: code) }
            return
        }
        Self.copy(between: relayEnd, and: server)
    }

    /// Copies both ways until both directions ended, or a side went away.
    private static func copy(between local: Int32, and server: Int32) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var toServer = true
        var toLocal = true
        while toServer || toLocal {
            var descriptors = [
                pollfd(fd: toServer ? local : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: toLocal ? server : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if toServer, descriptors[0].revents != 0 {
                let count = recv(local, buffer.baseAddress, buffer.count, 0)
                if count > 0 {
                    if !sendAll(server, UnsafeRawBufferPointer(rebasing: buffer[..<count])) {
                        // The server is gone: what it said before still reaches the process.
                        toServer = false
                        _ = shutdown(local, Int32(SHUT_RD))
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    toServer = false
                    _ = shutdown(server, Int32(SHUT_WR))
                }
            }
            if toLocal, descriptors[1].revents != 0 {
                TCPSocket.acknowledgeQuickly(server)
                let count = recv(server, buffer.baseAddress, buffer.count, 0)
                if count > 0 {
                    // The process is gone: nothing is left to carry.
                    if !sendAll(local, UnsafeRawBufferPointer(rebasing: buffer[..<count])) { return }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    toLocal = false
                    _ = shutdown(local, Int32(SHUT_WR))
                }
            }
        }
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { sendAll(descriptor, $0) }
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let sent = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            #else
            let sent = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, 0)
            #endif
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Runs `body` on a new detached thread; 0 or the `pthread_create` error.
    private static func startThread(_ body: @escaping @Sendable () -> Void) -> Int32 {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let created = pthread_create(
            &thread, nil,
            { argument in
                #if canImport(Darwin)
                let body = Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue()
                #else
                let body = Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue()
                #endif
                body.run()
                return nil
            }, box)
        guard created == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            return created
        }
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
        return 0
    }

    private final class ThreadBody: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
