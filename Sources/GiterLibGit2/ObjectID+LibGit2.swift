internal import CLibGit2
import Giter

extension ObjectID {
    /// The id of a libgit2 object id (SHA-1).
    init(_ oid: git_oid) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let hex = withUnsafeBytes(of: oid.id) { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { buffer in
                for (index, byte) in raw.enumerated() {
                    buffer[2 * index] = digits[Int(byte >> 4)]
                    buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
                return raw.count * 2
            }
        }
        guard let id = ObjectID(hex: hex) else { preconditionFailure("libgit2 produced an id that is not hexadecimal") }
        self = id
    }

    /// The libgit2 form of this id; throws for ids libgit2 1.5 cannot hold (SHA-256).
    func gitOID() throws(TransportError) -> git_oid {
        var oid = git_oid()
        guard hex.utf8.count == 40 else {
            throw TransportError(.invalidArgument, "\(hex) is a SHA-256 id; the libgit2 backend supports SHA-1 repositories only")
        }
        try LibGit2.check(git_oid_fromstrn(&oid, hex, 40), "read the object id \(hex)")
        return oid
    }
}

extension git_oid {
    /// Whether two ids are the same.
    static func same(_ lhs: git_oid, _ rhs: git_oid) -> Bool {
        withUnsafeBytes(of: lhs.id) { left in withUnsafeBytes(of: rhs.id) { right in left.elementsEqual(right) } }
    }
}
