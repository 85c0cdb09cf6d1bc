#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation

/// One request whose answer is read into memory, at most `maxBytes` of it:
/// the task is cancelled as soon as the registry announces or sends more.
/// The body of an error answer (not 2xx) is kept only for its message: its
/// first ``errorBodyLimit`` bytes, the rest dropped.
///
/// `@unchecked Sendable`: the session calls it on its own queue; every
/// mutable property is guarded by `lock`.
final class BoundedDownload: @unchecked Sendable {
    enum Failure: Error {
        case tooLarge
        case timedOut
    }

    static let errorBodyLimit = 4096

    private let maxBytes: Int
    private let lock = NSLock()
    private var body: [UInt8] = []
    private var tooLarge = false
    /// An error answer whose body was cut at ``errorBodyLimit``: the task was cancelled on purpose.
    private var cut = false
    private var isError = false
    private var continuation: CheckedContinuation<OCIRegistry.Response, any Error>?
    /// The answer that asked for authentication, when there was one.
    private var challenge: HTTPURLResponse?

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// The registry asked for authentication with `response` (HTTP 401).
    func challenged(_ response: URLResponse?) {
        let response = response as? HTTPURLResponse
        lock.withLock { challenge = response }
    }

    func run(_ task: URLSessionDataTask) async throws -> OCIRegistry.Response {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { self.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Whether to read the body of `response`.
    func received(_ response: URLResponse, method: String?) -> URLSession.ResponseDisposition {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let isError = !(200..<300).contains(status)
        return lock.withLock {
            self.isError = isError
            // A HEAD answer announces the size of what it does not send.
            if !isError, method != "HEAD", response.expectedContentLength > Int64(maxBytes) {
                tooLarge = true
                return .cancel
            }
            return .allow
        }
    }

    /// Keeps `data`; `false` when the task must stop.
    func received(_ data: Data) -> Bool {
        lock.withLock {
            if isError {
                body.append(contentsOf: data.prefix(Self.errorBodyLimit - body.count))
                cut = body.count >= Self.errorBodyLimit
                return !cut
            }
            if body.count + data.count > maxBytes {
                tooLarge = true
                return false
            }
            body.append(contentsOf: data)
            return true
        }
    }

    func completed(_ response: URLResponse?, error: (any Error)?) {
        let (continuation, body, tooLarge, cut, challenge) = lock.withLock {
            defer { self.continuation = nil }
            return (self.continuation, self.body, self.tooLarge, self.cut, self.challenge)
        }
        if error != nil, let challenge {
            // The challenge's headers say what to authenticate with (`WWW-Authenticate`); its body is gone.
            let answer = OCIRegistry.Response(
                status: challenge.statusCode, headers: Self.headers(of: challenge), body: [], url: challenge.url)
            continuation?.resume(returning: answer)
        } else if tooLarge {
            continuation?.resume(throwing: Failure.tooLarge)
        } else if let error, !cut {
            continuation?.resume(throwing: error)
        } else if let response = response as? HTTPURLResponse {
            let answer = OCIRegistry.Response(
                status: response.statusCode, headers: Self.headers(of: response), body: body, url: response.url)
            continuation?.resume(returning: answer)
        } else {
            continuation?.resume(throwing: URLError(.badServerResponse))
        }
    }

    /// The header fields of `response`, their names in lower case.
    static func headers(of response: HTTPURLResponse) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return headers
    }
}
