import Foundation

/// A coding key for any string or integer.
struct AnyKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Decodes whatever a document holds through the generic `Decoder` API and
/// records every call and its result or error, so that two decoders can be
/// compared call by call: keyed (`allKeys`, `contains`, every scalar type,
/// `decodeNil`, `decodeIfPresent`, missing keys, nested containers,
/// `superDecoder`), unkeyed (`count`, items, past the end) and single values.
struct Transcript: Decodable, CustomStringConvertible {
    var lines: [String] = []
    var description: String { lines.joined(separator: "\n") }

    init(from decoder: any Decoder) throws {
        Self.walk(decoder, into: &lines)
    }

    private static func record<T>(_ lines: inout [String], _ label: String, _ body: () throws -> T) {
        do {
            lines.append("\(label) = \(try body())")
        } catch {
            lines.append("\(label) ! \(type(of: error)): \(error)")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    static func walk(_ decoder: any Decoder, into lines: inout [String]) {
        lines.append("at \(path(decoder.codingPath))")
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            let keys = keyed.allKeys
            lines.append("mapping \(keys.map(\.stringValue)) at \(path(keyed.codingPath))")
            for key in keys {
                lines.append("contains \(key.stringValue): \(keyed.contains(key))")
                record(&lines, "nil?") { try keyed.decodeNil(forKey: key) }
                record(&lines, "Bool") { try keyed.decode(Bool.self, forKey: key) }
                record(&lines, "Int") { try keyed.decode(Int.self, forKey: key) }
                record(&lines, "UInt8?") { try keyed.decodeIfPresent(UInt8.self, forKey: key) }
                record(&lines, "Double") { try keyed.decode(Double.self, forKey: key) }
                record(&lines, "Float?") { try keyed.decodeIfPresent(Float.self, forKey: key) }
                record(&lines, "String") { try keyed.decode(String.self, forKey: key) }
                record(&lines, "String?") { try keyed.decodeIfPresent(String.self, forKey: key) }
                record(&lines, "[String]") { try keyed.decode([String].self, forKey: key) }
                record(&lines, "[String: Int]?") { try keyed.decodeIfPresent([String: Int].self, forKey: key) }
                record(&lines, "nested keyed") { try keyed.nestedContainer(keyedBy: AnyKey.self, forKey: key).allKeys.count }
                record(&lines, "nested unkeyed") { try keyed.nestedUnkeyedContainer(forKey: key).count ?? -1 }
                if let nested = try? keyed.superDecoder(forKey: key) { walk(nested, into: &lines) }
            }
            record(&lines, "missing") { try keyed.decode(String.self, forKey: AnyKey(stringValue: "no such key")) }
            record(&lines, "missing?") { try keyed.decodeIfPresent(Int.self, forKey: AnyKey(stringValue: "absent")) }
            record(&lines, "missing super") { try Transcript(from: keyed.superDecoder(forKey: AnyKey(stringValue: "gone"))) }
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            lines.append("sequence of \(unkeyed.count ?? -1) at \(path(unkeyed.codingPath))")
            if var copy = try? decoder.unkeyedContainer() {
                while !copy.isAtEnd {
                    record(&lines, "item \(copy.currentIndex) Int") { try copy.decode(Int.self) }
                    if copy.currentIndex < (copy.count ?? 0), (try? copy.decodeNil()) != true {
                        record(&lines, "skip") { try copy.decode(Transcript.self).lines.count }
                    }
                }
            }
            while !unkeyed.isAtEnd {
                guard let nested = try? unkeyed.superDecoder() else { break }
                walk(nested, into: &lines)
            }
            record(&lines, "past end") { try unkeyed.decode(String.self) }
            return
        }
        guard let single = try? decoder.singleValueContainer() else {
            lines.append("no container")
            return
        }
        lines.append("nil \(single.decodeNil())")
        record(&lines, "Bool") { try single.decode(Bool.self) }
        record(&lines, "Int") { try single.decode(Int.self) }
        record(&lines, "Int8") { try single.decode(Int8.self) }
        record(&lines, "UInt64") { try single.decode(UInt64.self) }
        record(&lines, "Double") { try single.decode(Double.self) }
        record(&lines, "Float") { try single.decode(Float.self) }
        record(&lines, "String") { try single.decode(String.self) }
        record(&lines, "Date") { try single.decode(Date.self) }
        record(&lines, "Data") { try single.decode(Data.self) }
        record(&lines, "URL") { try single.decode(URL.self) }
        record(&lines, "Decimal") { try single.decode(Decimal.self) }
    }
}

/// A typed model for corpus documents: most of them do not match it, which
/// gives every kind of decoding error.
struct Sample: Decodable {
    struct Item: Decodable {
        var name: String
        var value: Double?
    }
    var a: Int
    var b: [String]?
    var c: [Item]
    var d: [String: Bool]?
}
