public import Logging
import Synchronization

/// Splits the resources of one kind between replicas of a consumer by
/// ranges of a hash of their names, with membership and ownership kept in
/// lease refs moved by compare-and-swap (the same leases as
/// ``LeaderElection``):
///
/// - **Shards**: a 32-bit hash of a resource's name (``shard(of:)``) is
///   cut into ``Options/shards`` equal ranges; shard `k` is the lease
///   `refs/giter/leases/<group>-shard-<k>`. Only its holder reconciles and
///   writes the resources of that range, and its status commits carry the
///   lease's generation as a fencing token.
/// - **Membership**: each replica holds one of ``Options/maxMembers``
///   member leases (`<group>-member-<i>`); the live members are those
///   whose lease this replica did not see expire.
/// - **Balance**: with `n` live members each replica aims at
///   `ceil(shards / n)` shards. One over its share stops starting
///   reconciles in the shards it gives up (``owns(_:)`` is `false` for
///   them), waits until nothing of them runs or waits to be written, and
///   only then releases each lease (``LeaderElection/release()``); one under
///   its share takes shards that are free or whose lease it saw expire.
///
/// A shard therefore has at most one holder at a time (a lease is taken
/// by compare-and-swap, and taken over only after the taker saw it
/// unchanged for its duration, while the holder's term ends before that on
/// its own clock), and a replica that dies leaves its shards for at most
/// the lease duration plus one round: the others see its member lease and
/// its shard leases expire together and take the shards over.
///
/// ``run(isDrained:afterRound:)`` repeats ``round(isDrained:)`` every
/// ``Options/roundInterval``; a ``Controller`` with
/// ``ControllerOptions/sharding`` runs it and gives it the drain check.
/// Time comes from the injected clock: tests drive it with a test clock.
public final class ShardCoordinator: WriteFence {
    /// How the shards are split.
    public struct Options: Sendable {
        /// The leases' name prefix: `<group>-shard-<k>` and `<group>-member-<i>`.
        public var group: String
        /// How many hash ranges the resources are split into, 1 to 256 (default 16).
        public var shards: Int
        /// How many replicas may take part at once, 1 to 256 (default 16);
        /// one more waits until a member lease is free.
        public var maxMembers: Int
        /// This replica's name in the leases, unique among replicas.
        public var holder: String
        /// How long a renewal counts (default 15 s).
        public var duration: Duration
        /// How often a round runs (default a third of ``duration``).
        public var roundInterval: Duration
        /// Who writes the lease commits.
        public var author: Signature

        public init(
            group: String = "consumer", shards: Int = 16, maxMembers: Int = 16, holder: String? = nil,
            duration: Duration = .seconds(15), roundInterval: Duration? = nil,
            author: Signature = Signature(name: "giter lease", email: "giter-lease@localhost")
        ) {
            self.group = group
            self.shards = shards
            self.maxMembers = maxMembers
            self.holder = holder ?? LeaderElection.Options.defaultHolder()
            self.duration = duration
            self.roundInterval = roundInterval ?? duration / 3
            self.author = author
        }
    }

    /// What a round saw and left.
    public struct Round: Sendable, Hashable {
        /// The member lease this replica holds; `nil` when none was free.
        public var member: Int?
        /// The live members, this one included.
        public var members: Int
        /// This replica's share: `ceil(shards / members)`.
        public var target: Int
        /// The shards this replica holds and reconciles.
        public var owned: Set<Int>
        /// The shards it holds but gives up once drained.
        public var draining: Set<Int>
    }

    public let options: Options
    private let members: [LeaderElection]
    private let leases: [LeaderElection]
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let elapsed: @Sendable () -> Duration
    /// Shards being given up: held, no new reconcile starts in them.
    private let draining = Mutex<Set<Int>>([])

    /// A coordinator over `transport`'s remote.
    ///
    /// - Throws: ``LeaseError`` with code ``LeaseError/Code/invalidArgument``
    ///   for a bad group or holder, a count of shards or members outside
    ///   1...256, or a duration ``LeaderElection`` refuses.
    public init<C: Clock>(
        transport: some Transport, options: Options = Options(), clock: C,
        logger: Logger = Logger(label: "giter.shards")
    ) throws(LeaseError) where C.Duration == Duration {
        guard (1...256).contains(options.shards), (1...256).contains(options.maxMembers) else {
            throw LeaseError(.invalidArgument, "give 1 to 256 shards and 1 to 256 members")
        }
        func election(_ name: String) throws(LeaseError) -> LeaderElection {
            try LeaderElection(
                transport: transport,
                options: LeaderElection.Options(
                    name: name, holder: options.holder, duration: options.duration,
                    renewInterval: options.roundInterval, retryInterval: options.roundInterval, author: options.author),
                clock: clock, logger: logger)
        }
        var members: [LeaderElection] = []
        for index in 0..<options.maxMembers { members.append(try election("\(options.group)-member-\(index)")) }
        var leases: [LeaderElection] = []
        for index in 0..<options.shards { leases.append(try election("\(options.group)-shard-\(index)")) }
        self.options = options
        self.members = members
        self.leases = leases
        self.logger = logger
        sleep = { try await clock.sleep(for: $0) }
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
    }

    /// The shard of `key`: which of ``Options/shards`` equal ranges its
    /// name's hash falls in. The hash is the name's FNV-1a hash (as for
    /// ``ResourceKey/bucket``) passed through MurmurHash3's 32-bit
    /// finalizer: the high bits of FNV-1a alone barely change between names
    /// that differ in their last characters (`run-1`, `run-2`, …), so ranges
    /// of it would put most such names in a few shards.
    public func shard(of key: ResourceKey) -> Int {
        var hash = key.nameHash
        hash ^= hash >> 16
        hash &*= 0x85eb_ca6b
        hash ^= hash >> 13
        hash &*= 0xc2b2_ae35
        hash ^= hash >> 16
        return Int((UInt64(hash) * UInt64(options.shards)) >> 32)
    }

    /// The lease ref of shard `index`.
    public func reference(ofShard index: Int) -> RemoteReferenceName { leases[index].reference }

    /// The shards this replica holds and is not giving up: where reconciles may start.
    public var ownedShards: Set<Int> {
        let draining = draining.withLock { $0 }
        return Set(leases.indices.filter { leases[$0].leaderGeneration != nil && !draining.contains($0) })
    }

    /// The shards this replica holds, those it is giving up included: where its statuses may be written.
    public var heldShards: Set<Int> {
        Set(leases.indices.filter { leases[$0].leaderGeneration != nil })
    }

    /// Whether a reconcile of `key` may start here: this replica holds its
    /// shard's lease and is not giving it up.
    public func owns(_ key: ResourceKey) -> Bool {
        let index = shard(of: key)
        return leases[index].leaderGeneration != nil && !draining.withLock { $0.contains(index) }
    }

    /// The token of `key`'s shard while this replica holds it (draining included).
    public func fencingToken(for key: ResourceKey) -> FencingToken? {
        leases[shard(of: key)].fencingToken
    }

    public func refusal(for key: ResourceKey) -> String {
        let index = shard(of: key)
        return "this replica does not hold shard \(index) of \(key) (the lease \(leases[index].reference)): its holder writes it"
    }

    /// Runs `body` (a reconcile of `key`) and cancels it when this
    /// replica's term on `key`'s shard ends without a renewal, so that a
    /// reconcile does not go on after another replica could have taken the
    /// shard. Cancellation is cooperative: a reconciler that does not check
    /// for it runs on, and only its status write is refused (fenced).
    func whileHolding<T: Sendable>(_ key: ResourceKey, _ body: @escaping @Sendable () async -> T) async -> T {
        let lease = leases[shard(of: key)]
        return await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask { [sleep] in
                // Wakes at the end of each term; a renewal moved the end further.
                while let remaining = lease.termRemaining {
                    do { try await sleep(remaining) } catch { return nil }
                }
                return nil
            }
            var result: T?
            while let next = await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                } else if result == nil {
                    group.cancelAll()
                }
            }
            // The body always finishes, cancelled or not.
            return result!
        }
    }

    /// Runs rounds until the task is cancelled, calling `afterRound` with
    /// the shards owned after each. A round that fails is logged; the next
    /// one tries again, and a shard whose lease was not renewed stops
    /// counting as owned when its term ends.
    public func run(
        isDrained: @escaping @Sendable (Int) async -> Bool, afterRound: (@Sendable (Set<Int>) -> Void)? = nil
    ) async {
        while !Task.isCancelled {
            do {
                try await round(isDrained: isDrained)
            } catch {
                logger.warning("shard round failed: \(error)", metadata: ["group": "\(options.group)"])
            }
            afterRound?(ownedShards)
            do { try await sleep(options.roundInterval) } catch { return }
        }
    }

    /// Gives up every shard and the member lease this replica holds, for a
    /// replica that stops: the others take its shards at their next round
    /// instead of waiting for its terms to run out. Call it only once
    /// nothing of these shards runs or waits to be written here (the
    /// ``Controller`` does, after its last status write) and no round runs.
    /// A lease that cannot be released is logged and left to expire.
    public func releaseAll() async {
        draining.withLock { $0 = [] }
        for (index, lease) in leases.enumerated() where lease.isHolding {
            if await step(lease, { try await lease.release() }) == true {
                logger.info("released shard \(index) on stopping", metadata: ["group": "\(options.group)"])
            }
        }
        for lease in members where lease.isHolding {
            _ = await step(lease, { try await lease.release() })
        }
    }

    /// One lease's read or write within a round; `nil`, logged, when it fails.
    private func step<T>(_ lease: LeaderElection, _ body: () async throws -> T) async -> T? {
        do {
            return try await body()
        } catch {
            logger.warning("lease \(lease.reference): \(error)", metadata: ["group": "\(options.group)"])
            return nil
        }
    }

    /// One round: renew or take a member lease, count the live members,
    /// renew the shards held, give up what is over this replica's share
    /// once `isDrained` says nothing of it runs, and take free shards up to
    /// the share.
    @discardableResult
    public func round(isDrained: @Sendable (Int) async -> Bool = { _ in true }) async throws -> Round {
        let started = elapsed()
        // Renewals first: they keep this replica's terms from lapsing while it reads the rest.
        // A lease that cannot be read or written is logged and skipped: one bad ref stops no other.
        var member: Int?
        var held: [Int] = []
        for (index, lease) in members.enumerated() where member == nil && lease.isHolding {
            if case .leader = await step(lease, { try await lease.attempt() }) { member = index }
        }
        for (index, lease) in leases.enumerated() where lease.isHolding {
            if case .leader = await step(lease, { try await lease.attempt() }) { held.append(index) }
        }
        // Then what the others hold. A member lease that cannot be read counts as live, a shard as taken.
        var live = member == nil ? 0 : 1
        var freeMembers: [Int] = []
        for (index, lease) in members.enumerated() where index != member {
            let seen = await step(lease, { try await lease.observe() })
            if seen?.isFree == true { freeMembers.append(index) } else if seen?.isHeldHere != true { live += 1 }
        }
        if member == nil {
            for index in freeMembers {
                if case .leader = await step(members[index], { try await self.members[index].attempt() }) {
                    member = index
                    live += 1
                    break
                }
            }
        }
        let target = member == nil ? 0 : (options.shards + live - 1) / live
        var free: [Int] = []
        for (index, lease) in leases.enumerated() where !held.contains(index) {
            if await step(lease, { try await lease.observe() })?.isFree == true { free.append(index) }
        }
        defer {
            let took = elapsed() - started
            if took > options.duration / 3 {
                let leases = options.maxMembers + options.shards
                logger.warning(
                    """
                    a round of \(leases) leases took \(took), over a third of the lease duration \(options.duration): \
                    terms may lapse between renewals; give a longer duration, or fewer shards or members
                    """,
                    metadata: ["group": "\(options.group)"])
            }
        }
        // Give up the highest-numbered shards over the share, once drained.
        let giving = Set(held.suffix(max(0, held.count - target)))
        draining.withLock { $0 = giving }
        for index in giving.sorted() where await isDrained(index) {
            do {
                try await leases[index].release()
            } catch {
                logger.warning("could not release shard \(index): \(error)", metadata: ["group": "\(options.group)"])
            }
            held.removeAll { $0 == index }
            draining.withLock { _ = $0.remove(index) }
            logger.info("gave up shard \(index)", metadata: ["group": "\(options.group)"])
        }
        if held.count < target {
            for index in free where held.count < target {
                if case .leader = await step(leases[index], { try await self.leases[index].attempt() }) {
                    held.append(index)
                    logger.info("took shard \(index)", metadata: ["group": "\(options.group)"])
                }
            }
        }
        let draining = draining.withLock { $0 }
        return Round(
            member: member, members: live, target: target, owned: Set(held).subtracting(draining), draining: draining)
    }
}
