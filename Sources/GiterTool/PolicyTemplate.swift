import Giter

/// The contract files `giter init` writes: `.giter/policy.yaml`, active
/// (with `--admin`) or an inactive template, and the README that keeps
/// `.giter/crds/` in Git (which stores no empty folders).
enum PolicyTemplate {
    /// The README of the definitions folder.
    static let definitionsReadmePath = "\(Contract.definitionsFolder)/README.md"

    /// An active policy whose only party is `admin`, who then adds the others.
    static func active(admin: ExchangeIdentity) -> String {
        let policy = ExchangePolicy.adminOnly(name: admin.name, email: admin.email)
        return """
            # The exchange's policy: who may write what. Written by 'giter init --admin';
            # only a member of an admin party changes it, and each commit is judged by the
            # policy of its parent. Add the producer and consumer parties (see the fields
            # in Documentation/Contract.md, "The policy"), and the CustomResourceDefinitions
            # of the exchanged kinds in .giter/crds/: with unknownKinds: reject, a kind
            # without one cannot be written.

            """ + YAMLWriter().write(policy.document)
    }

    /// The inactive policy: every line a comment but the `---` that opens
    /// its one, empty document, so the exchange stays open until an admin
    /// commits an active one. (`ExchangePolicy.parse` returns `nil` for an
    /// empty document; the `---` keeps the file one document even for a
    /// reader that wants exactly one.)
    static let inactive = """
        # The exchange's policy: who may write what. INACTIVE: the document is empty,
        # so the exchange is open (roles come from the commits' Giter-Role trailers and
        # are not enforced; 'giter verify' says so on every run). To enforce roles,
        # uncomment the document below, put in your parties, and commit it: its
        # admins then own .giter/ and README.md, and each commit is judged by the
        # policy of its parent. See Documentation/Contract.md, "The policy".
        # (The '---' line below starts an empty document, which is what makes the
        # file inactive; keep it when you uncomment the policy.)
        ---
        # apiVersion: giter.dev/v1alpha1
        # kind: ExchangePolicy
        # metadata:
        #   name: exchange
        # spec:
        #   parties:
        #   - name: lab                      # a DNS-1123 label
        #     role: producer                 # producer | consumer | admin
        #     namespaces: ["lab", "team-*"]  # globs; default ["*"]
        #     kinds: ["Experiment"]          # globs; default ["*"]
        #     members:
        #     - email: alice@lab.example
        #       signingKeys: []              # OpenSSH public key lines or armored OpenPGP keys (Documentation/Signing.md)
        #       pushers: []                  # server users who may push these commits; default any
        #   - name: testbed
        #     role: consumer
        #     members:
        #     - email: runner@testbed.example
        #   - name: owners
        #     role: admin
        #     members:
        #     - email: owner@lab.example
        #   requireSignatures: false         # true: every commit signed by a key of its author
        #   unknownKinds: reject             # reject | allow: kinds with no CRD in .giter/crds/
        #   refs: []                         # other refs a server accepts pushes to, e.g. refs/tags/*

        """

    /// What `.giter/crds/` holds.
    static let definitionsReadme = """
        # CustomResourceDefinitions

        Put one `apiextensions.k8s.io/v1` CustomResourceDefinition per exchanged kind
        here, as a `.yaml` or `.yml` file (a team's existing CRD files work as they
        are). Producers' specs and consumers' statuses are validated against the
        `openAPIV3Schema` of the version a resource's `apiVersion` names; with the
        policy's `unknownKinds: reject`, a kind with no definition cannot be written.
        Only an admin party changes this folder. See `Documentation/Contract.md`.

        This README keeps the folder in Git, which stores no empty folders; Giter
        reads only the `.yaml` and `.yml` files.

        """
}
