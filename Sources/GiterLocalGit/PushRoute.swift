/// How a push reached the remote.
package enum PushRoute: Hashable, Sendable {
    /// Into a repository on this machine without receive-pack: the new
    /// objects written into its object folder, then the branch moved with a
    /// compare-and-swap under its lock (``ReferenceLock``), when
    /// ``ReceivePolicy`` allows it.
    case direct
    /// Through receive-pack: spawned for a repository on this machine, or a server's.
    case receivePack
}
