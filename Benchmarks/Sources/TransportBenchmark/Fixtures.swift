/// How resources are laid out in a benchmark repository.
enum Layout: String, Sendable {
    /// `resources/<ns>/widgets/<2-hex fan-out>/<name>.yaml`, 100 files per folder.
    case fanOut = "fan-out"
    /// `resources/flat/<name>.yaml`: every file in one folder.
    case flat
}

/// The file paths of a repository of `count` resources in `layout`.
func resourcePaths(count: Int, layout: Layout) -> [String] {
    switch layout {
    case .flat:
        return (0..<count).map { "resources/flat/res-\($0).yaml" }
    case .fanOut:
        let leaves = max(1, count / 100)
        let namespaces = (leaves + 255) / 256
        let buckets = max(1, leaves / namespaces)
        return (0..<count).map { index in
            let namespace = index % namespaces
            let bucket = (index / namespaces) % buckets
            return "resources/ns-\(namespace)/widgets/\(hex2(bucket))/res-\(index).yaml"
        }
    }
}

private func hex2(_ value: Int) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[(value >> 4) & 15], digits[value & 15]])
}

/// A small custom resource; `revision` makes each version distinct.
func resourceText(path: String, revision: Int) -> [UInt8] {
    let name = path.split(separator: "/").last.map { String($0.dropLast(5)) } ?? path
    return Array("""
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: \(name)
          namespace: default
        spec:
          replicas: 3
          image: registry.example.com/widget:1.\(revision)
          revision: \(revision)

        """.utf8)
}

/// Writes a `git fast-import` stream: one commit (mark :1) holding every
/// path, then, when `changedPath` is given, a second commit (mark :2) that
/// changes only that file.
func fastImportStream(paths: [String], changedPath: String?) -> [UInt8] {
    var stream: [UInt8] = []
    stream.reserveCapacity(paths.count * 300)
    func append(_ text: String) { stream.append(contentsOf: text.utf8) }
    func data(_ bytes: [UInt8]) {
        append("data \(bytes.count)\n")
        stream.append(contentsOf: bytes)
        append("\n")
    }
    append("commit refs/heads/main\nmark :1\ncommitter Bench <bench@example.com> 1700000000 +0000\n")
    data(Array("initial\n".utf8))
    for path in paths {
        append("M 100644 inline \(path)\n")
        data(resourceText(path: path, revision: 0))
    }
    if let changedPath {
        append("commit refs/heads/main\nmark :2\ncommitter Bench <bench@example.com> 1700000001 +0000\n")
        data(Array("change one\n".utf8))
        append("from :1\nM 100644 inline \(changedPath)\n")
        data(resourceText(path: changedPath, revision: 1))
    }
    return stream
}

/// Creates a bare repository at `path` filled by `git fast-import`; returns
/// the commit ids by mark (`[1: first, 2: second]`).
func importRepository(
    at path: String, paths: [String], changedPath: String?, spawner: Spawner, scratch: String
) throws(BenchmarkError) -> [Int: String] {
    try spawner.run(["git", "init", "-q", "--bare", "-b", "main", path])
    let streamPath = scratch + "/stream.fi"
    let marksPath = scratch + "/marks.txt"
    try writeBytes(fastImportStream(paths: paths, changedPath: changedPath), to: streamPath)
    try spawner.run(
        ["git", "--git-dir=" + path, "fast-import", "--quiet", "--export-marks=" + marksPath], input: streamPath)
    var marks: [Int: String] = [:]
    for line in (readText(marksPath) ?? "").split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let mark = Int(parts[0].dropFirst()) { marks[mark] = String(parts[1]) }
    }
    return marks
}
