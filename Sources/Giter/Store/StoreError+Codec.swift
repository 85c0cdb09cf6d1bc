extension StoreError {
    /// A resource file at `path` that does not read or decode: code
    /// ``Code/invalidDocument``, `error` kept as the cause, and the place in
    /// the file where it can be told.
    ///
    /// - A `CodecError` (text that does not parse) gives its own location.
    /// - A `DecodingError` (a value that does not fit the type) gives the
    ///   location of the value at its coding path in `document`, the node the
    ///   value was decoded from; the message starts with that path
    ///   (`spec.ports[2].port: …`).
    ///
    /// - Parameters:
    ///   - field: The field `document` is, when it is not the whole file
    ///     (`metadata`): it starts the coding path in the message.
    ///   - action: What was being done (`cannot rewrite 'spec'`), put before
    ///     the error's message.
    static func invalidDocument(
        _ path: String, _ error: any Error, in document: Node? = nil, field: String? = nil, action: String? = nil
    ) -> StoreError {
        var message: String
        var location: SourceLocation?
        switch error {
        case let error as CodecError:
            message = error.message
            location = error.location
        case let error as DecodingError:
            (message, location) = describe(error, in: document, field: field)
        default:
            message = "\(error)"
        }
        if let action { message = "\(action): \(message)" }
        return StoreError(.invalidDocument, path: path, location: location, message, cause: error)
    }

    /// A value that does not encode: code ``Code/encoding``, `error` kept as the cause.
    static func encoding(_ what: String, _ error: any Error) -> StoreError {
        var message = "\(error)"
        if let error = error as? EncodingError, case .invalidValue(_, let context) = error {
            let path = codingPath(context.codingPath)
            message = path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        }
        return StoreError(.encoding, "cannot encode \(what): \(message)", cause: error)
    }

    /// The message and location of a decoding error: `PATH: WHAT`, without
    /// the ` at line L, column C` the codec may end the message with when
    /// that place is the location given.
    private static func describe(
        _ error: DecodingError, in document: Node?, field: String?
    ) -> (message: String, location: SourceLocation?) {
        let context: DecodingError.Context
        var missingKey: (any CodingKey)?
        switch error {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found):
            context = found
        case .keyNotFound(let key, let found):
            context = found
            missingKey = key
        @unknown default:
            return ("\(error)", nil)
        }
        let location = document.flatMap { locate(context.codingPath, in: $0) }
        var message = context.debugDescription
        if let location {
            let suffix = " at line \(location.line), column \(location.column)"
            if message.hasSuffix(suffix) { message.removeLast(suffix.count) }
        }
        var keys: [String] = field.map { [$0] } ?? []
        let path = codingPath(context.codingPath + (missingKey.map { [$0] } ?? []))
        if !path.isEmpty { keys.append(path) }
        let prefix = keys.joined(separator: path.hasPrefix("[") ? "" : ".")
        return (prefix.isEmpty ? message : "\(prefix): \(message)", location)
    }

    /// A coding path as a reader writes it: `spec.ports[2].port`.
    static func codingPath(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The location of the value at `codingPath` in `node`; as far as the
    /// path leads when it leaves the tree (the closest enclosing value).
    static func locate(_ codingPath: [any CodingKey], in node: Node) -> SourceLocation? {
        var node = node
        var location = node.location
        for key in codingPath {
            if let mapping = node.mapping {
                guard let entry = mapping.entry(forKey: key.stringValue) else { break }
                node = entry.value
                location = entry.value.location ?? entry.keyLocation ?? location
            } else if let index = key.intValue, let item = node[index] {
                node = item
                location = item.location ?? location
            } else {
                break
            }
        }
        return location
    }
}

extension StoreError {
    /// A resource file over the store's size limit: never parsed.
    static func tooLarge(_ path: String, size: Int, limit: Int) -> StoreError {
        StoreError(
            .invalidDocument, path: path,
            "the file is \(size) bytes, over the limit of \(limit) bytes (StoreOptions.maxFileBytes): "
                + "it is not read; its producer must make it smaller or delete it")
    }

    /// A tree entry with `mode` at `path`, where a resource file should be: never read.
    static func irregularEntry(_ path: String, mode: FileMode) -> StoreError {
        StoreError(
            .invalidEntry, path: path,
            "\(describe(mode)) (mode \(mode)) stands where a resource file should be; Giter reads only regular "
                + "files: its producer must replace it with a regular file or delete it")
    }

    /// What an entry of `mode` is, in words.
    static func describe(_ mode: FileMode) -> String {
        switch mode {
        case .symlink: "a symbolic link"
        case .gitlink: "a gitlink (a submodule entry)"
        case .tree: "a folder"
        default: "an entry that is not a regular file"
        }
    }
}
