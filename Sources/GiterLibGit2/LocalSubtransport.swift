internal import CLibGit2
import Giter
import GiterLocalGit

/// A libgit2 smart subtransport for remotes on this machine (a path or a
/// `file://` URL): it talks the smart protocol to a spawned
/// `git-upload-pack` or `git-receive-pack`, as `git` itself does for
/// `file://`, so the remote's hooks (`pre-receive`, `update`…) and its
/// `receive.fsckObjects` checks apply to every push, and a push moves the
/// branch only if it is still at the old value libgit2 sends.
///
/// Stateful (ssh-like): one child process serves the whole conversation,
/// from the ref advertisement to the pack. Supplied per remote through
/// `git_remote_callbacks.transport`; nothing is registered globally.
final class LocalSubtransport {
    /// The stream of the running conversation, if any.
    private var current: UnsafeMutablePointer<git_smart_subtransport_stream>?

    /// A `git_transport_cb`: makes a smart transport for `owner` whose
    /// subtransport spawns git services on this machine.
    static func makeTransport(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_transport>?>?,
        owner: OpaquePointer?
    ) -> Int32 {
        guard let out else { return -1 }
        // git_transport_smart uses the definition during the call only.
        var definition = git_smart_subtransport_definition(
            callback: { out, _, _ in
                guard let out else { return -1 }
                out.pointee = LocalSubtransport().makeSubtransport()
                return 0
            },
            rpc: 0,
            param: nil
        )
        return git_transport_smart(out, owner, &definition)
    }

    /// The C subtransport, owning a retained reference to `self` until
    /// libgit2 calls its `free`.
    private func makeSubtransport() -> UnsafeMutablePointer<git_smart_subtransport> {
        let table = git_smart_subtransport(
            action: { out, subtransport, url, action in
                guard let out, let subtransport, let url else { return -1 }
                return CBox.owner(of: subtransport, as: LocalSubtransport.self)
                    .act(out, subtransport, url: String(cString: url), action)
            },
            close: { _ in 0 },
            free: { subtransport in
                guard let subtransport else { return }
                CBox.release(subtransport, LocalSubtransport.self)
            }
        )
        return CBox.make(table, owner: self)
    }

    /// Starts the service on the repository `url` names (the remote's URL
    /// after libgit2 applied the mirror's `insteadOf` rules) for the `*_LS`
    /// actions; the other actions (and
    /// the farewell flush libgit2 sends when closing) continue the running
    /// conversation.
    private func act(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport_stream>?>,
        _ subtransport: UnsafeMutablePointer<git_smart_subtransport>,
        url: String,
        _ action: git_smart_service_t
    ) -> Int32 {
        let program: String
        switch action {
        case GIT_SERVICE_UPLOADPACK_LS: program = "git-upload-pack"
        case GIT_SERVICE_RECEIVEPACK_LS: program = "git-receive-pack"
        default:
            guard let current else {
                git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "no conversation with \(url) is running")
                return -1
            }
            out.pointee = current
            return 0
        }
        // libgit2 frees the previous stream (if any) before a new `*_LS`.
        guard let path = LocalRepositoryURL(url)?.path else {
            git_error_set_str(
                Int32(GIT_ERROR_NET.rawValue),
                "\(url) names no path on this machine; write a file:// URL as file:///path or file://localhost/path")
            return -1
        }
        let process: ServiceProcess
        do {
            process = try ServiceProcess(program: program, path: path)
        } catch {
            git_error_set_str(Int32(GIT_ERROR_OS.rawValue), error.message)
            return -1
        }
        let stream = process.makeStream(subtransport: subtransport) { [weak self] stream in
            if self?.current == stream { self?.current = nil }
        }
        current = stream
        out.pointee = stream
        return 0
    }
}
