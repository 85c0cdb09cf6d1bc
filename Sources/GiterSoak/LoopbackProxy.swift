import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of one Git server: clients reach the
/// server through it, so the soak can cut their connections (``cutConnections(chance:afterMilliseconds:)``)
/// and restart the server on another port (``retarget(_:)``) while the
/// clients' URL stays the same.
///
/// Blocking sockets, a thread per direction of each connection: Git's
/// connections are few and short. While the server is down (target `nil`),
/// a new connection is accepted and closed at once, as a dead server's
/// port would refuse it.
final class LoopbackProxy: Sendable {
    private struct Connection {
        var client: Int32
        var server: Int32
        /// Directions still relaying; the last one closes both sockets.
        var open = 2
        var cut = false
    }

    private struct State {
        var target: Int?
        var connections: [Int: Connection] = [:]
        var nextID = 0
        var stopped = false
        var accepted = 0
        var refused = 0
        var drops = 0
        var cutAfterClientBytes: Int?
        var cutChance = 0.0
        var cutDelay = 0...0
    }

    /// The port clients connect to.
    let port: Int
    private let listener: Int32
    private let state: Mutex<State>

    /// A proxy listening on a free loopback port, forwarding to `target`.
    init(target: Int?) throws {
        listener = Platform.tcpSocket()
        guard listener >= 0 else { throw SoakError("socket: \(String(cString: strerror(errno)))") }
        do {
            port = try Platform.listenOnLoopback(listener)
        } catch {
            close(listener)
            throw error
        }
        state = Mutex(State(target: target))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Sends new connections to `port` (`nil`: refuse them while the server is down).
    func retarget(_ port: Int?) {
        state.withLock { $0.target = port }
    }

    /// Cuts every connection once its client has sent more than `bytes`
    /// (`nil`: never): a connection lost in the middle of a push.
    func cutAfterClientBytes(_ bytes: Int?) {
        state.withLock { $0.cutAfterClientBytes = bytes }
    }

    /// Cuts each new connection with probability `chance`, a random number of
    /// milliseconds in `delay` after it opened (if it is still open then):
    /// every connection runs the same risk however long it lasts.
    func cutConnections(chance: Double, afterMilliseconds delay: ClosedRange<Int>) {
        state.withLock {
            $0.cutChance = chance
            $0.cutDelay = delay
        }
    }

    /// Cuts the connection `id` if it is still open.
    private func cut(_ id: Int) {
        let victim = state.withLock { state -> Connection? in
            guard let connection = state.connections[id], !connection.cut else { return nil }
            state.connections[id]?.cut = true
            state.drops += 1
            return connection
        }
        if let victim {
            Platform.shutdownBoth(victim.client)
            Platform.shutdownBoth(victim.server)
        }
    }

    /// Connections accepted, refused while the server was down, and cut.
    var counts: (accepted: Int, refused: Int, drops: Int) {
        state.withLock { ($0.accepted, $0.refused, $0.drops) }
    }

    /// Connections open now.
    var openConnections: Int { state.withLock { $0.connections.count } }

    /// Stops accepting and cuts every open connection.
    func stop() {
        let connections = state.withLock { state -> [Connection] in
            state.stopped = true
            return Array(state.connections.values)
        }
        Platform.shutdownBoth(listener)
        for connection in connections {
            Platform.shutdownBoth(connection.client)
            Platform.shutdownBoth(connection.server)
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let target = state.withLock { state -> Int? in
                guard !state.stopped else { return nil }
                return state.target
            }
            guard let target, let server = Platform.connectToLoopback(port: target) else {
                state.withLock { $0.refused += 1 }
                close(client)
                if state.withLock({ $0.stopped }) { break }
                continue
            }
            let id = state.withLock { state -> Int in
                let id = state.nextID
                state.nextID += 1
                state.accepted += 1
                state.connections[id] = Connection(client: client, server: server)
                return id
            }
            let (chance, delay) = state.withLock { ($0.cutChance, $0.cutDelay) }
            if chance > 0, Double.random(in: 0..<1) < chance {
                let milliseconds = Int.random(in: delay)
                Thread.detachNewThread { [self] in
                    Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
                    cut(id)
                }
            }
            Thread.detachNewThread { [self] in relay(id, from: client, to: server, upstream: true) }
            Thread.detachNewThread { [self] in relay(id, from: server, to: client, upstream: false) }
        }
        close(listener)
    }

    /// Copies bytes one way until end of file or an error, then passes the end on.
    private func relay(_ id: Int, from source: Int32, to destination: Int32, upstream: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var relayed = 0
        outer: while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            relayed += count
            if upstream, let limit = state.withLock({ $0.cutAfterClientBytes }), relayed > limit {
                let cut = state.withLock { state -> Bool in
                    guard state.connections[id]?.cut == false else { return false }
                    state.connections[id]?.cut = true
                    state.drops += 1
                    return true
                }
                if cut {
                    Platform.shutdownBoth(source)
                    Platform.shutdownBoth(destination)
                }
                break
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + offset, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    // The other side is gone: end this direction's source too.
                    Platform.shutdownBoth(source)
                    break outer
                }
                offset += written
            }
        }
        Platform.shutdownWrite(destination)
        let finished = state.withLock { state -> Connection? in
            guard var connection = state.connections[id] else { return nil }
            connection.open -= 1
            if connection.open == 0 {
                state.connections[id] = nil
                return connection
            }
            state.connections[id] = connection
            return nil
        }
        if let finished {
            close(finished.client)
            close(finished.server)
        }
    }
}
