/// The private keys a reader opens encrypted fields with, by key id: a
/// member's current key and the keys it held before a rotation, so values
/// sealed before it — in history, or not re-applied yet — stay readable.
///
/// Give one to ``StoreOptions/fieldKeys``: the store then opens every
/// encrypted value it reads and the reconciler sees plaintext. See
/// `Documentation/Encryption.md`.
public struct FieldKeyring: Sendable {
    let keys: [String: EncryptionPrivateKey]

    /// A keyring of `keys`; a later key with the id of an earlier one replaces it.
    public init(_ keys: [EncryptionPrivateKey]) {
        var byID: [String: EncryptionPrivateKey] = [:]
        for key in keys { byID[key.id] = key }
        self.keys = byID
    }

    /// A keyring of the key files at `paths`.
    public init(keyFiles paths: [String]) throws(EncryptionError) {
        var keys: [EncryptionPrivateKey] = []
        for path in paths { keys.append(try EncryptionPrivateKey(contentsOfFile: path)) }
        self.init(keys)
    }

    /// The ids of the keys held, sorted.
    public var keyIDs: [String] { keys.keys.sorted() }

    public var isEmpty: Bool { keys.isEmpty }
}
