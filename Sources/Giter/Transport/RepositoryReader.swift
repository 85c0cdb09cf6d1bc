// TEMPORARY stand-in; helper F's version replaces it at merge.
public protocol RepositoryReader: Sendable {
    func resolve(_ reference: String) async throws -> ObjectID?
    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry]
    func blob(_ id: ObjectID) async throws -> [UInt8]
    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange]
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo]
}
