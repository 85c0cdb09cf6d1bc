import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Events when a branch of a repository on this machine moves: inotify on
/// the repository's `refs/heads` folder (git and libgit2 move a ref by
/// renaming a lock file over it). A stand-in for a post-receive hook or
/// webhook, given to the consumer's controller with `addEventSource(_:)`.
/// Linux only; elsewhere the stream never yields.
struct RefWatcher: AsyncSequence, Sendable {
    typealias Element = Void

    let folder: String

    func makeAsyncIterator() -> AsyncStream<Void>.Iterator {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        #if canImport(Glibc)
        let stopped = Stopped()
        continuation.onTermination = { _ in stopped.flag.store(true, ordering: .relaxed) }
        let folder = self.folder
        let thread = UnsafeThread {
            let descriptor = inotify_init1(Int32(IN_CLOEXEC))
            guard descriptor >= 0 else { return continuation.finish() }
            defer { close(descriptor) }
            let mask = UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE)
            guard inotify_add_watch(descriptor, folder, mask) >= 0 else { return continuation.finish() }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stopped.flag.load(ordering: .relaxed) {
                var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&request, 1, 100) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 { continuation.yield() }
            }
            continuation.finish()
        }
        thread.start()
        #else
        continuation.finish()
        #endif
        return stream.makeAsyncIterator()
    }
}

private final class Stopped: Sendable {
    let flag = Atomic<Bool>(false)
}

#if canImport(Glibc)
/// A detached POSIX thread running `body` (blocking calls stay off the cooperative pool).
private struct UnsafeThread {
    let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread,
            nil,
            { context in
                let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                box.body()
                return nil
            },
            box
        )
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).release()
        }
    }

    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
#endif
