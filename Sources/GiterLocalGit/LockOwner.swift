/// Who holds a ref lock Giter took itself (``ReferenceLock``): the record
/// kept beside the lock file, in `<ref>.giter-owner.lock`.
///
/// A Git lock file says nothing about its holder, so a lock left by a
/// killed process cannot be told from a live one. The record says which
/// process on which host took the lock, when that process started (a
/// process id alone may have been reused), and which file the lock is (its
/// device and inode, fixed before the lock is taken), so that a later
/// process on the same host can see that the holder is dead and remove
/// exactly that lock (``ReferenceLock/recover()``).
///
/// The text is one `name: value` per line, under a first line naming the
/// format; the name ends in `.lock` so that Git never reads it as a ref.
package struct LockOwner: Equatable, Sendable {
    /// The host name of the holder's machine.
    package var host: String
    /// What identifies the boot of that machine the holder ran in (``Platform/bootID``).
    package var boot: String
    /// The holder's process id.
    package var pid: Int32
    /// When the holder started (``Platform/processStart(_:)``).
    package var start: UInt64
    /// When the lock was taken, in nanoseconds since 1970.
    package var taken: Int64
    /// The lock file the holder takes (or took): its device and inode.
    package var lockDevice: UInt64
    package var lockInode: UInt64
    /// A random value that names the holder's temporary files and tells this record from any other.
    package var nonce: String

    /// The first line of a record.
    package static let header = "giter lock owner 1"

    package init(
        host: String, boot: String, pid: Int32, start: UInt64, taken: Int64, lockDevice: UInt64, lockInode: UInt64,
        nonce: String
    ) {
        self.host = host
        self.boot = boot
        self.pid = pid
        self.start = start
        self.taken = taken
        self.lockDevice = lockDevice
        self.lockInode = lockInode
        self.nonce = nonce
    }

    /// The record of this process taking the lock that will be the file `lock` (its stamp), now.
    package static func current(lock: FileStamp, nonce: String) -> LockOwner? {
        let pid = Platform.processID
        guard let start = Platform.processStart(pid) else { return nil }
        return LockOwner(
            host: Platform.hostName, boot: Platform.bootID, pid: pid, start: start, taken: Platform.wallClock(),
            lockDevice: lock.device, lockInode: lock.inode, nonce: nonce)
    }

    /// The record's text.
    package var text: String {
        """
        \(Self.header)
        host: \(host)
        boot: \(boot)
        pid: \(pid)
        start: \(start)
        taken: \(taken)
        lock-device: \(lockDevice)
        lock-inode: \(lockInode)
        nonce: \(nonce)

        """
    }

    /// The record in `text`; nil when it is not one (another format, a field missing).
    package init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == Substring(Self.header) else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            fields[String(line[..<colon])] = String(value)
        }
        guard let host = fields["host"], !host.isEmpty, let boot = fields["boot"],
            let pid = fields["pid"].flatMap({ Int32($0) }), let start = fields["start"].flatMap({ UInt64($0) }),
            let taken = fields["taken"].flatMap({ Int64($0) }),
            let device = fields["lock-device"].flatMap({ UInt64($0) }),
            let inode = fields["lock-inode"].flatMap({ UInt64($0) }), let nonce = fields["nonce"], !nonce.isEmpty
        else { return nil }
        self.init(
            host: host, boot: boot, pid: pid, start: start, taken: taken, lockDevice: device, lockInode: inode,
            nonce: nonce)
    }

    /// Whether the holder is alive, as far as this machine can tell.
    package enum Liveness: Equatable, Sendable {
        /// The process runs, with the recorded start time.
        case alive
        /// Gone: no such process, a process of that id started at another
        /// time (the id was reused), or the machine rebooted since.
        case dead(String)
        /// The record is from another host: nothing here can tell.
        case otherHost
    }

    /// Whether the holder is alive, seen from this process.
    package var liveness: Liveness {
        guard host == Platform.hostName else { return .otherHost }
        let boot = Platform.bootID
        if !boot.isEmpty, self.boot != boot { return .dead("the machine has rebooted since") }
        guard Platform.processExists(pid), let started = Platform.processStart(pid) else {
            return .dead("no process \(pid) runs")
        }
        guard started == start else { return .dead("process \(pid) is another process (the id was reused)") }
        return .alive
    }

    /// "process 123 on host h, lock taken at 2026-12-02T08:40:00Z", for messages.
    package var summary: String {
        "process \(pid) on \(host) (lock taken \(Self.timestamp(taken)))"
    }

    /// `nanoseconds` since 1970 as an RFC 3339 UTC time, to the second.
    static func timestamp(_ nanoseconds: Int64) -> String {
        var seconds = nanoseconds / 1_000_000_000
        let second = seconds % 60
        seconds /= 60
        let minute = seconds % 60
        seconds /= 60
        let hour = seconds % 24
        var days = seconds / 24
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z"
    }
}
