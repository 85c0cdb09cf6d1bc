// The sample of Documentation/PartialFetch.md, verbatim.

import Giter
import GiterGitCLI

/// A store of the `team-a` experiments on a partial mirror.
func scopedExperimentStore(mirror: String, credentials: Credentials, identity: ExchangeIdentity) async throws
    -> GitResourceStore<Experiment>
{
    let remote = RemoteConfiguration(
        url: "ssh://git@forge.example/lab/exchange.git", mirrorPath: mirror, credentials: credentials,
        blobFetch: .onDemand)
    let transport = try await GitCLITransport(configuration: remote)
    var options = StoreOptions(identity: identity)
    options.scope = .only(namespaces: ["team-a"], kinds: ["Experiment"])
    let store = GitResourceStore<Experiment>(
        transport: transport, resourceType: ResourceType(apiVersion: "giter.example/v1", kind: "Experiment"),
        options: options)
    return store
}
