import Foundation
import Giter

/// The `<old> <new> <ref>` lines git writes to a `pre-receive` hook's
/// standard input, read with bounds: at most ``maxLines`` lines of at most
/// ``maxLineBytes`` bytes each, or the input is refused as a whole.
enum RefUpdateInput {
    static let maxLines = 10_000
    static let maxLineBytes = 4_096

    /// Why the input was refused; printed after `giter: rejected: `.
    struct Error: Swift.Error, CustomStringConvertible {
        var description: String
    }

    /// Reads and parses every line of `handle` until its end.
    static func read(from handle: FileHandle) throws(Error) -> [RefUpdate] {
        var updates: [RefUpdate] = []
        var line: [UInt8] = []
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 64 * 1024) ?? Data()
            } catch {
                throw Error(description: "cannot read the ref updates on standard input: \(error)")
            }
            if chunk.isEmpty { break }
            for byte in chunk {
                if byte == UInt8(ascii: "\n") {
                    updates.append(try parse(line, number: updates.count + 1))
                    line.removeAll(keepingCapacity: true)
                    continue
                }
                line.append(byte)
                if line.count > maxLineBytes {
                    throw Error(description: "line \(updates.count + 1) of standard input is longer than \(maxLineBytes) bytes")
                }
            }
        }
        if !line.isEmpty { updates.append(try parse(line, number: updates.count + 1)) }
        return updates
    }

    /// One line: `<old id> <new id> <full ref name>`; an all-zero id means
    /// the ref is created (old) or deleted (new).
    static func parse(_ line: [UInt8], number: Int) throws(Error) -> RefUpdate {
        guard number <= maxLines else {
            throw Error(description: "more than \(maxLines) ref updates on standard input")
        }
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        func broken(_ why: String) -> Error {
            Error(description: "line \(number) of standard input is not '<old> <new> <ref>': \(why)")
        }
        guard fields.count == 3 else { throw broken("it has \(fields.count) field(s)") }
        func id(_ field: ArraySlice<UInt8>, _ what: String) throws(Error) -> ObjectID? {
            let text = String(decoding: field, as: UTF8.self)
            guard let id = ObjectID(hex: text), text == id.hex else { throw broken("the \(what) id is not a full object id") }
            return text.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) ? nil : id
        }
        let old = try id(fields[0], "old")
        let new = try id(fields[1], "new")
        let name = String(decoding: fields[2], as: UTF8.self)
        guard old != nil || new != nil else { throw broken("both ids are zero") }
        guard name.hasPrefix("refs/"), name.utf8.count > 5,
            !name.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\u{FFFD}" })
        else { throw broken("'\(name)' is not a full ref name (refs/…)") }
        return RefUpdate(old: old, new: new, name: name)
    }
}
