#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// What the kernel said about one watched folder.
enum FolderEvent: Sendable, Equatable {
    /// An entry of the folder was created, removed, renamed or written;
    /// `name` is its name, or nil where the platform does not say (kqueue).
    case entry(FolderWatch.Handle, name: String?)
    /// The folder itself was removed or moved away: its watch is gone.
    case folderGone(FolderWatch.Handle)
    /// The kernel dropped events (inotify's `IN_Q_OVERFLOW`): anything may have changed.
    case overflow
}

/// The kernel's folder watches, for ``RefWatcher``: inotify on Linux, kqueue
/// (through Dispatch's file system sources) on Darwin. Every C call of the
/// watcher is in this file.
///
/// Bounded: one kernel watch per folder added, events read through one
/// fixed buffer, nothing queued here (the kernel's own queue is bounded and
/// reports an overflow). Events are delivered one at a time on `queue`.
final class FolderWatch: Sendable {
    /// One watched folder (an inotify watch descriptor, or a kqueue file descriptor).
    typealias Handle = Int32

    /// Why a folder could not be watched.
    enum AddFailure: Error, Sendable {
        /// It does not exist (yet), or is not a folder.
        case missing
        /// The system refused (a limit, permissions): the message says which.
        case refused(String)
    }

    private let queue: DispatchQueue
    private let handler: @Sendable (FolderEvent) -> Void

    #if canImport(Darwin)
    private struct State {
        var sources: [Handle: SharedSource] = [:]
        var closing = 0
        var closed = false
        var done: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    /// A watch set delivering its events to `handler` on `queue`.
    init(queue: DispatchQueue, handler: @escaping @Sendable (FolderEvent) -> Void) throws(RefWatcherError) {
        self.queue = queue
        self.handler = handler
    }

    /// Starts watching `path` (a folder); `entryWrites` is ignored (kqueue reports every change of a folder).
    func add(_ path: String, entryWrites: Bool) -> Result<Handle, AddFailure> {
        if state.withLock({ $0.closed }) { return .failure(.refused("the watch is closed")) }
        let descriptor = open(path, O_EVTONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .failure(.missing) }
            return .failure(.refused("cannot watch \(path): \(String(cString: strerror(code)))"))
        }
        let source = DispatchSource.makeFileSystemObjectSource(
            fileDescriptor: descriptor, eventMask: [.write, .delete, .rename, .revoke, .link], queue: queue)
        let handler = self.handler
        source.setEventHandler { [weak source] in
            guard let source else { return }
            let data = source.data
            if !data.isDisjoint(with: [.delete, .rename, .revoke]) {
                handler(.folderGone(descriptor))
            } else {
                handler(.entry(descriptor, name: nil))
            }
        }
        source.setCancelHandler { [weak self] in
            closeDescriptor(descriptor)
            self?.closedOne()
        }
        let added = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.sources[descriptor] = SharedSource(source)
            return true
        }
        guard added else {
            // The watch closed meanwhile. Dispatch must not release a source
            // that was never activated: activate it, cancel it, and let its
            // own cancel handler close the descriptor.
            source.setCancelHandler { closeDescriptor(descriptor) }
            source.activate()
            source.cancel()
            return .failure(.refused("the watch is closed"))
        }
        source.activate()
        return .success(descriptor)
    }

    /// Stops watching the folder of `handle`.
    func remove(_ handle: Handle) {
        let source = state.withLock { state -> SharedSource? in
            guard let source = state.sources.removeValue(forKey: handle) else { return nil }
            state.closing += 1
            return source
        }
        source?.source.cancel()
    }

    /// Closes every watch, then calls `done` (once every descriptor is closed).
    func close(then done: @escaping @Sendable () -> Void) {
        let sources = state.withLock { state -> [SharedSource] in
            state.closed = true
            state.done = done
            state.closing += state.sources.count
            defer { state.sources.removeAll() }
            return Array(state.sources.values)
        }
        for shared in sources { shared.source.cancel() }
        finishIfClosed()
    }

    private func closedOne() {
        state.withLock { $0.closing -= 1 }
        finishIfClosed()
    }

    private func finishIfClosed() {
        let done = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.closed, state.closing == 0, let done = state.done else { return nil }
            state.done = nil
            return done
        }
        done?()
    }
    #else
    private let descriptor: Int32
    private let source: SharedSource
    private let closed = Mutex(false)

    /// One inotify instance delivering its events to `handler` on `queue`.
    ///
    /// - Throws: ``RefWatcherError`` when the system refuses an inotify
    ///   instance (`fs.inotify.max_user_instances`).
    init(queue: DispatchQueue, handler: @escaping @Sendable (FolderEvent) -> Void) throws(RefWatcherError) {
        self.queue = queue
        self.handler = handler
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw RefWatcherError(
                .cannotWatch,
                "cannot start an inotify instance: \(reason) (raise fs.inotify.max_user_instances); "
                    + "waiters poll instead")
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        self.source = SharedSource(source)
        source.setEventHandler { [weak self] in
            self?.drain()
        }
        source.activate()
    }

    /// What each watch reports: entries created, removed or moved in or
    /// out (a ref written by lock and rename is `IN_MOVED_TO`), the folder
    /// itself removed or moved; with `entryWrites`, also files written in
    /// place (`IN_CLOSE_WRITE`).
    func add(_ path: String, entryWrites: Bool) -> Result<Handle, AddFailure> {
        var mask =
            UInt32(IN_CREATE) | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO)
            | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR)
        if entryWrites { mask |= UInt32(IN_CLOSE_WRITE) }
        let handle = inotify_add_watch(descriptor, path, mask)
        guard handle >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .failure(.missing) }
            var reason = "cannot watch \(path): \(String(cString: strerror(code)))"
            if code == ENOSPC { reason += " (raise fs.inotify.max_user_watches)" }
            return .failure(.refused(reason))
        }
        return .success(handle)
    }

    /// Stops watching the folder of `handle`.
    func remove(_ handle: Handle) {
        _ = inotify_rm_watch(descriptor, handle)
    }

    /// Closes the inotify instance (every watch with it), then calls `done`.
    func close(then done: @escaping @Sendable () -> Void) {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return done() }
        let descriptor = self.descriptor
        source.source.setCancelHandler {
            closeDescriptor(descriptor)
            done()
        }
        source.source.cancel()
    }

    /// Reads every queued event through one fixed buffer and hands each to the handler.
    private func drain() {
        let capacity = 64 * 1024
        let headerSize = 16  // wd, mask, cookie, len: inotify(7)
        var buffer = [UInt8](repeating: 0, count: capacity)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, capacity) }
            guard count > 0 else { return }
            var offset = 0
            while offset + headerSize <= count {
                let handle = Int32(bitPattern: word(buffer, offset))
                let mask = word(buffer, offset + 4)
                let length = Int(word(buffer, offset + 12))
                let nameBytes = buffer[(offset + headerSize)..<min(count, offset + headerSize + length)]
                offset += headerSize + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    handler(.overflow)
                } else if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_IGNORED)) != 0 {
                    handler(.folderGone(handle))
                } else if length > 0 {
                    let name = String(decoding: nameBytes.prefix(while: { $0 != 0 }), as: UTF8.self)
                    handler(.entry(handle, name: name))
                }
            }
        }
    }

    private func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<4 { raw[index] = bytes[offset + index] }
        }
        return value
    }
    #endif
}

extension FolderWatch {
    #if canImport(Darwin)
    typealias Source = any DispatchSourceFileSystemObject
    #else
    typealias Source = any DispatchSourceRead
    #endif

    /// A Dispatch source, shared between the queue its handlers run on and
    /// the callers that cancel it. Dispatch sources are thread-safe (their
    /// handlers may be set, and they may be activated and cancelled, from
    /// any thread), but corelibs Dispatch does not mark them `Sendable`.
    struct SharedSource: @unchecked Sendable {
        let source: Source
        init(_ source: Source) { self.source = source }
    }

    /// Whether `path` is a folder (following links).
    static func isFolder(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}

/// Closes a file descriptor (outside the class, whose `close(then:)` hides the C function).
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
