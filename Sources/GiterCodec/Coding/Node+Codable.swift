/// A node is `Codable`, so a resource can keep a part it does not model as a
/// free-form tree, for example `CustomResource<Node, Node>` or a
/// `[String: Node]` field.
///
/// With ``DocumentDecoder`` and ``DocumentEncoder`` the node is taken or
/// given as it is, locations included. With other coders, such as
/// Foundation's `JSONDecoder`, it is decoded by trying null, boolean,
/// integer, floating-point, string, sequence and mapping in turn, and
/// encoded through the matching container.
extension Node: Codable {
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? TapeDecoding {
            self = decoder.currentNode
            return
        }
        if let container = try? decoder.container(keyedBy: NodeCodingKey.self) {
            var mapping = Mapping()
            for key in container.allKeys {
                mapping.entries.append(Mapping.Entry(key: key.stringValue, value: try container.decode(Node.self, forKey: key)))
            }
            self.init(.mapping(mapping))
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [Node] = []
            while !container.isAtEnd { items.append(try container.decode(Node.self)) }
            self.init(.sequence(items))
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init(.null)
        } else if let value = try? container.decode(Bool.self) {
            self.init(.bool(value))
        } else if let value = try? container.decode(Int64.self) {
            self.init(.number(Number(value)))
        } else if let value = try? container.decode(UInt64.self) {
            self.init(.number(Number(value)))
        } else if let value = try? container.decode(Double.self) {
            self.init(.number(Number(value)))
        } else {
            self.init(.string(try container.decode(String.self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? NodeEncoding {
            encoder.encodeNode(self)
            return
        }
        if let encoder = encoder as? TapeEncoding {
            try encoder.encodeNode(self)
            return
        }
        switch content {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if let value = number.integer(as: Int64.self), number.isInteger {
                try container.encode(value)
            } else if let value = number.integer(as: UInt64.self), number.isInteger {
                try container.encode(value)
            } else {
                try container.encode(number.doubleValue)
            }
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .sequence(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .mapping(let mapping):
            var container = encoder.container(keyedBy: NodeCodingKey.self)
            for entry in mapping.entries {
                try container.encode(entry.value, forKey: NodeCodingKey(stringValue: entry.key))
            }
        }
    }
}
