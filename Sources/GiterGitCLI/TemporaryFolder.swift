#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Giter

/// A private (mode 0700) folder for one operation's scratch files, removed by ``remove()``.
struct TemporaryFolder {
    let path: String

    init() throws(TransportError) {
        var template = Array((NSTemporaryDirectory() + "/giter-gitcli.XXXXXX").utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else {
            throw TransportError(.backend, "cannot create a temporary folder in \(NSTemporaryDirectory()) (errno \(errno))")
        }
        path = created
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
