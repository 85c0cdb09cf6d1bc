/// How validation treats a field marked `x-giter-encrypted: true`.
public enum EncryptedFieldCheck: Sendable, Hashable {
    /// As a resource file holds it: the value must be an envelope
    /// (``SealedValue``) of the right shape; what it encrypts is not seen.
    /// Readers, `giter verify` and the guard check this way.
    case sealed
    /// As the producer has it before sealing: the value is checked against
    /// the field's schema like any other — or, when it is a string that
    /// starts like an envelope, as `.sealed` (an envelope kept from the file).
    /// The errors say which field and which rule, and never quote the value
    /// of such a field, nor a value that holds one (an ancestor's); a key
    /// inside it that the schema does not declare shows as `*`.
    case plaintext
}
