/// A de-duplicating work queue of resource keys: a key is queued at most
/// once, and a key added while it is being processed is queued again when
/// processing ends, so one key is never processed twice at once.
struct WorkQueue {
    private(set) var ready: [ResourceKey] = []
    private var head = 0
    private var queued: Set<ResourceKey> = []
    private(set) var processing: Set<ResourceKey> = []
    private var dirty: Set<ResourceKey> = []

    /// Keys waiting.
    var depth: Int { ready.count - head }

    /// Queues `key` unless it is already waiting; marks it for another
    /// round if it is being processed.
    mutating func add(_ key: ResourceKey) {
        if processing.contains(key) {
            dirty.insert(key)
        } else if queued.insert(key).inserted {
            ready.append(key)
        }
    }

    /// The next key to process, now marked as being processed.
    mutating func take() -> ResourceKey? {
        guard head < ready.count else { return nil }
        let key = ready[head]
        head += 1
        queued.remove(key)
        if head == ready.count {
            // Drained. After a burst (the first sync queues every resource) its storage is given back.
            if ready.capacity > Self.keptCapacity { ready = [] } else { ready.removeAll(keepingCapacity: true) }
            if queued.capacity > Self.keptCapacity { queued = [] }
            head = 0
        } else if head > 1024, head * 2 > ready.count {
            ready.removeFirst(head)
            head = 0
        }
        processing.insert(key)
        return key
    }

    /// The most keys whose storage a drained queue keeps for the next burst.
    static let keptCapacity = 1024

    /// Ends processing `key`; queues it again if it was added meanwhile.
    mutating func done(_ key: ResourceKey) {
        processing.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }
}
