import Foundation
public import Giter

extension GitCLITransport {
    public func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        var arguments = ["rev-list", "--topo-order"]
        if let limit {
            guard limit > 0 else { return [] }
            arguments.append("--max-count=\(limit)")
        }
        arguments.append(new.hex)
        if let old { arguments.append("^" + old.hex) }
        arguments.append("--")
        let result = try await runner.check(arguments)
        var commits: [CommitInfo] = []
        for line in String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let id = ObjectID(hex: text) else {
                throw TransportError(.backend, "git rev-list printed '\(text)' instead of a commit id")
            }
            guard let object = try await objects.read(id.hex), object.type == "commit" else {
                throw TransportError(.objectNotFound, "the mirror has no commit \(id)")
            }
            commits.append(try GitOutput.commit(id: id, raw: object.contents))
        }
        return commits
    }
}
