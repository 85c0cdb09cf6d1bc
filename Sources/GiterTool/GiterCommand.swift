import ArgumentParser

/// The `giter` command: the root of the tool's subcommands.
@main
struct GiterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giter",
        abstract: "Exchange Kubernetes-style resources through a Git repository.",
        discussion: """
            A producer writes resources' specs, a consumer writes their status, \
            both through one branch of a Git repository. Every exchange command \
            takes --remote URL (or GITER_REMOTE), --branch, --backend \
            libgit2|git, --identity "Name <email>", -n/--namespace and --cache \
            DIR; see 'giter help <command>'.

            Exit status: 0 on success; 1 when the command failed (an input \
            could not be read or converted, a resource or kind does not exist, \
            a write was refused, the remote could not be reached, a wait timed \
            out); 64 for a usage error. Errors are printed as one line on \
            standard error.

            Examples:
              giter init --remote /srv/git/lab.git
              export GITER_REMOTE=/srv/git/lab.git
              giter apply -f experiment.yaml
              giter get experiments
              giter wait Experiment/sort-1 --for=condition=Ready --timeout=2m
              giter history Experiment/sort-1
              giter verify
              giter serve --listen 127.0.0.1:8080
            """,
        subcommands: [
            InitCommand.self, ApplyCommand.self, GetCommand.self, DescribeCommand.self, WaitCommand.self,
            HistoryCommand.self, ArchiveCommand.self, DeleteCommand.self, ConvertCommand.self, VerifyCommand.self,
            GuardCommand.self, UnlockCommand.self,
            BundleCommand.self, KeyCommand.self, BranchCommand.self, OCICommand.self,
            ServeCommand.self,
            StatusCommand.self, ReconcileCommand.self,
        ]
    )
}
