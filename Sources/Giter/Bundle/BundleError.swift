/// Why ``ExchangeBundle`` would not write or read a bundle. Nothing was
/// changed in the exchange when one is thrown.
public struct BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The file is not a bundle Giter reads, or it is truncated.
        case malformed
        /// The pack failed the backend's check: truncated or corrupted.
        case corrupted
        /// The receiver lacks a commit the bundle builds on: an earlier
        /// bundle from the same site was not imported here.
        case missingPrerequisite
        /// The bundle brings nothing this site does not already have: it
        /// was imported before, or a newer one from the same site was.
        case replayed
        /// This site has commits the sending site has not received, and the
        /// bundle does not build on them.
        case diverged
        /// A commit of the bundle breaks the exchange's contract.
        case contractViolation
        /// A site name, or the bundle's, is not usable.
        case invalidSite
        /// There is nothing to send: the other site has acknowledged everything.
        case nothingToExport
        /// Both sites changed the same file in a way Giter does not merge
        /// (the contract's files, or both the status and the rest of a
        /// resource): a person must settle it.
        case conflict
        /// The exchange moved while the bundle was being imported; run the import again.
        case exchangeMoved
    }

    public var code: Code
    public var message: String
    /// The contract's findings when ``code`` is ``Code/contractViolation``.
    public var violations: [ContractViolation]

    public init(_ code: Code, _ message: String, violations: [ContractViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    public var description: String { message }
}
