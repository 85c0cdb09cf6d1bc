#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// Spawn attributes that give a child no blocked signal and every signal's
/// default action. `posix_spawn` otherwise hands the child the calling
/// thread's signal mask, and a Swift concurrency or Dispatch thread blocks
/// most signals, and the parent's ignored signals (a service that shuts
/// down on SIGTERM ignores it to catch it through Dispatch): a server
/// started that way never saw the SIGTERM meant to stop it, and the
/// benchmark waited for it forever.
public func withDefaultSignalSpawnAttributes<T>(_ body: (inout posix_spawnattr_t) throws -> T) rethrows -> T {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return try body(&attributes)
}
