internal import CLibGit2
import Giter

extension ObjectID {
    /// The id of a libgit2 object id (SHA-1).
    init(_ oid: git_oid) {
        let id = withUnsafeBytes(of: oid.id) { raw in ObjectID(bytes: raw.prefix(20)) }
        guard let id else { preconditionFailure("a libgit2 object id holds 20 bytes") }
        self = id
    }

    /// The libgit2 form of this id; throws for ids libgit2 1.5 cannot hold (SHA-256).
    func gitOID() throws(TransportError) -> git_oid {
        guard byteCount == 20 else {
            throw TransportError(.invalidArgument, "\(hex) is a SHA-256 id; the libgit2 backend supports SHA-1 repositories only")
        }
        var oid = git_oid()
        let bytes = self.bytes
        withUnsafeMutableBytes(of: &oid.id) { raw in
            for index in 0..<20 { raw[index] = bytes[index] }
        }
        return oid
    }
}

extension git_oid {
    /// Whether two ids are the same.
    static func same(_ lhs: git_oid, _ rhs: git_oid) -> Bool {
        withUnsafeBytes(of: lhs.id) { left in withUnsafeBytes(of: rhs.id) { right in left.elementsEqual(right) } }
    }
}
