/// An ASCII-armored OpenPGP public key block as the policy lists it.
///
/// Only the armor framing is checked here: one
/// `-----BEGIN PGP PUBLIC KEY BLOCK-----` … `-----END PGP PUBLIC KEY BLOCK-----`
/// block, optional armor headers, a base64 body and its optional `=` checksum
/// line. Whether the packets inside make a usable key is for `gpg` to say:
/// ``GPGVerifier/fingerprints(of:)`` reads them, and a signature by a key
/// gpg cannot use never verifies.
public struct OpenPGPPublicKey: Sendable, Hashable {
    /// The largest key block accepted (1 MiB): keys with many certifications
    /// are a few hundred KiB at most.
    static let maximumSize = 1 << 20

    /// The key block as given.
    public let armored: String

    /// Checks the armor framing only (BEGIN/END PGP PUBLIC KEY BLOCK, base64 body); `.invalidKey` otherwise.
    public init(armored: String) throws(SigningError) {
        guard armored.utf8.count <= Self.maximumSize else {
            throw SigningError(
                .invalidKey,
                "the OpenPGP public key is larger than \(Self.maximumSize >> 20) MiB: give the key alone "
                    + "(gpg --armor --export-options export-minimal --export KEYID)"
            )
        }
        if let problem = Self.framingProblem(in: armored) {
            throw SigningError(
                .invalidKey,
                "not an ASCII-armored OpenPGP public key (\(problem)): export it with gpg --armor --export KEYID"
            )
        }
        self.armored = armored
    }

    private static let begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
    private static let end = "-----END PGP PUBLIC KEY BLOCK-----"

    /// What is wrong with the framing of `text`, or `nil` when it is a well-framed block.
    private static func framingProblem(in text: String) -> String? {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { line in
            var line = line
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            return line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard lines.first == Substring(begin) else { return "it does not start with \(begin)" }
        guard lines.count >= 2, lines.last == Substring(end) else { return "it does not end with \(end)" }
        let inside = lines.dropFirst().dropLast()
        // Armor headers ("Comment: …") end at the first empty line; a block
        // without headers may omit the empty line.
        var body = inside[...]
        if let blank = inside.firstIndex(where: \.isEmpty) {
            guard inside[..<blank].allSatisfy({ $0.contains(": ") }) else {
                return "a line before the empty line is not an armor header"
            }
            body = inside[inside.index(after: blank)...]
        }
        var data = body.filter { !$0.isEmpty }[...]
        if let last = data.last, last.hasPrefix("=") {
            guard last.count == 5, last.dropFirst().allSatisfy(isBase64) else { return "a malformed checksum line" }
            data = data.dropLast()
        }
        guard !data.isEmpty else { return "no key data" }
        for line in data {
            guard line.allSatisfy({ isBase64($0) || $0 == "=" }) else {
                if line.hasPrefix("-----") { return "more than one armored block" }
                return "a line that is not base64"
            }
        }
        return nil
    }

    private static func isBase64(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
