import Giter
import Testing

@Suite("The exchange policy: parsing and globs")
struct ExchangePolicyTests {
    @Test func aValidPolicyReadsEveryField() throws {
        let policy = try #require(try ExchangePolicy.parse(Array(Files.policyText.utf8)))
        #expect(policy.parties.map(\.name) == ["lab", "testbed", "ops", "tools", "tools-runner", "owners"])
        let lab = policy.parties[0]
        #expect(lab.role == .producer)
        #expect(lab.namespaces == ["lab", "team-*"])
        #expect(lab.kinds == ["Experiment"])
        #expect(lab.members == [ExchangePolicy.Member(email: "alice@lab.example")])
        #expect(policy.parties[1].member(email: "RUNNER@testbed.example")?.pushers == ["ci-runner"])
        // Namespaces and kinds default to every one.
        #expect(policy.parties[2].kinds == ["*"])
        #expect(policy.parties[5].namespaces == ["*"])
        #expect(policy.parties[5].role == .admin)
        #expect(policy.unknownKinds == .reject)
        #expect(policy.requireSignatures == false)
        #expect(policy.refs == ["refs/tags/*"])
        #expect(policy.parties(of: "dual@lab.example").map(\.name) == ["testbed", "ops"])
        #expect(policy.parties(of: "mallory@elsewhere.example").isEmpty)
        // The document it writes reads back as the same policy.
        #expect(try ExchangePolicy(policy.document) == policy)
    }

    @Test func theCommentedTemplateAndAnEmptyFileAreNoPolicy() throws {
        let template = """
            # The exchange is open until an admin commits a policy:
            # apiVersion: giter.dev/v1alpha1
            # kind: ExchangePolicy
            # spec:
            #   parties: []

            """
        #expect(try ExchangePolicy.parse(Array(template.utf8)) == nil)
        #expect(try ExchangePolicy.parse([]) == nil)
    }

    @Test func anAdminOnlyPolicyHasOneAdminParty() throws {
        let policy = ExchangePolicy.adminOnly(name: "Owner", email: "owner@lab.example")
        #expect(policy.parties.map(\.role) == [.admin])
        #expect(policy.parties(of: "owner@lab.example").count == 1)
        #expect(try ExchangePolicy(policy.document) == policy)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        /// The policy's lines after `spec:`.
        var spec: String
        /// `LINE:COLUMN` of the error.
        var at: String
        var says: String
        var testDescription: String { name }

        /// The whole file: a valid head, then `spec`.
        var text: String {
            "apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\nmetadata:\n  name: exchange\nspec:\n" + spec
        }
    }

    static let broken: [Broken] = [
        Broken(
            name: "unknown spec field",
            spec: "  parties: []\n  admins: []\n",
            at: "7:3",
            says: "spec.admins: Unknown field"
        ),
        Broken(name: "spec not a mapping", spec: "  - lab\n", at: "6:3", says: "spec must be a mapping"),
        Broken(name: "parties not a list", spec: "  parties: lab\n", at: "6:12", says: "spec.parties: must be a list"),
        Broken(
            name: "party name not a label",
            spec: "  parties:\n  - name: Lab_1\n    role: producer\n",
            at: "7:11",
            says: "spec.parties[0].name: Invalid value: \"Lab_1\""
        ),
        Broken(
            name: "party name missing",
            spec: "  parties:\n  - role: producer\n",
            at: "7:5",
            says: "spec.parties[0].name: Required value"
        ),
        Broken(
            name: "unknown role",
            spec: "  parties:\n  - name: lab\n    role: owner\n",
            at: "8:11",
            says: "spec.parties[0].role: Unsupported value: \"owner\""
        ),
        Broken(
            name: "duplicate party",
            spec: "  parties:\n  - name: lab\n    role: producer\n  - name: lab\n    role: consumer\n",
            at: "9:5",
            says: "spec.parties[1].name: Duplicate value: \"lab\""
        ),
        Broken(
            name: "unknown party field",
            spec: "  parties:\n  - name: lab\n    role: producer\n    scope: all\n",
            at: "9:5",
            says: "spec.parties[0].scope: Unknown field"
        ),
        Broken(
            name: "namespaces not a list",
            spec: "  parties:\n  - name: lab\n    role: producer\n    namespaces: lab\n",
            at: "9:17",
            says: "spec.parties[0].namespaces: must be a list of strings"
        ),
        Broken(
            name: "kind not a string",
            spec: "  parties:\n  - name: lab\n    role: producer\n    kinds: [Experiment, [Job]]\n",
            at: "9:25",
            says: "spec.parties[0].kinds[1]: must be a string"
        ),
        Broken(
            name: "member e-mail with a name",
            spec:
                "  parties:\n  - name: lab\n    role: producer\n    members:\n    - email: Alice <alice@lab.example>\n",
            at: "10:14",
            says: "spec.parties[0].members[0].email: Invalid value"
        ),
        Broken(
            name: "unknown member field",
            spec:
                "  parties:\n  - name: lab\n    role: producer\n    members:\n    - email: alice@lab.example\n      key: x\n",
            at: "11:7",
            says: "spec.parties[0].members[0].key: Unknown field"
        ),
        Broken(
            name: "unknownKinds unsupported",
            spec: "  parties: []\n  unknownKinds: maybe\n",
            at: "7:17",
            says: "spec.unknownKinds: Unsupported value: \"maybe\""
        ),
        Broken(
            name: "requireSignatures not a flag",
            spec: "  parties: []\n  requireSignatures: 1\n",
            at: "7:22",
            says: "spec.requireSignatures: must be true or false"
        ),
        Broken(
            name: "refs not a list",
            spec: "  refs: refs/tags/*\n",
            at: "6:9",
            says: "spec.refs: must be a list of strings"
        ),
        // An unclosed flow sequence: reported at its opening bracket.
        Broken(name: "YAML syntax", spec: "  parties: [lab\n", at: "6:12", says: ""),
    ]

    @Test(arguments: broken)
    func aBrokenPolicyIsRefusedWithItsPosition(_ broken: Broken) {
        let error = #expect(throws: ContractError.self) { try ExchangePolicy.parse(Array(broken.text.utf8)) }
        #expect(error?.file == ExchangePolicy.path)
        #expect(error?.location?.description == broken.at)
        #expect(error?.message.contains(broken.says) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("\(ExchangePolicy.path):\(broken.at): ") == true)
    }

    @Test(arguments: [
        (
            "apiVersion: giter.dev/v2\nkind: ExchangePolicy\nspec: {}\n", "1:13",
            "apiVersion: must be giter.dev/v1alpha1"
        ),
        ("apiVersion: giter.dev/v1alpha1\nkind: Policy\nspec: {}\n", "2:7", "kind: must be ExchangePolicy"),
        ("apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\n", "1:1", "spec: Required value"),
        (
            "apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\nspec: {}\ncolour: blue\n", "4:1",
            "colour: Unknown field"
        ),
        ("- apiVersion: giter.dev/v1alpha1\n", "1:1", "must be a mapping"),
        (
            "apiVersion: giter.dev/v1alpha1\nkind: ExchangePolicy\nspec: {}\n---\nkind: Other\n", "5:1",
            "one YAML document, found 2"
        ),
    ])
    func aBrokenHeadIsRefusedWithItsPosition(text: String, at: String, says: String) {
        let error = #expect(throws: ContractError.self) { try ExchangePolicy.parse(Array(text.utf8)) }
        #expect(error?.location?.description == at)
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("team-*", "team-alpha", true), ("team-*", "teams", false), ("*", "anything", true), ("lab", "lab", true),
        ("lab", "lab2", false), ("l?b", "lab", true), ("l?b", "lb", false), ("*-prod", "eu-prod", true),
        ("*-prod", "eu-prod-2", false), ("a*b*c", "axbybzc", true), ("a*b*c", "axbybz", false), ("**", "x", true),
        ("a*", "", false),
    ])
    func namespaceGlobs(pattern: String, namespace: String, matches: Bool) {
        let party = ExchangePolicy.Party(name: "p", role: .producer, namespaces: [pattern], members: [])
        #expect(party.covers(ResourceKey(namespace: namespace, kind: "Experiment", name: "x")) == matches)
    }

    @Test func aPartyCoversOnlyItsNamespacesAndItsKinds() {
        let lab = ExchangePolicy.Party(
            name: "lab",
            role: .producer,
            namespaces: ["lab", "team-*"],
            kinds: ["Exp*"],
            members: []
        )
        #expect(lab.covers(.experiment("a")))
        #expect(lab.covers(.experiment("a", namespace: "team-b")))
        #expect(!lab.covers(.experiment("a", namespace: "ops")))
        #expect(!lab.covers(ResourceKey(namespace: "lab", kind: "Job", name: "a")))
        // Kinds are matched as written: no case folding.
        #expect(!lab.covers(ResourceKey(namespace: "lab", kind: "experiment", name: "a")))
    }
}
