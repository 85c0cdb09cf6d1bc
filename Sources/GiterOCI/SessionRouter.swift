#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation

/// The one `URLSession` of the process, and which ``BoundedDownload``
/// each of its tasks belongs to. (A session per request made
/// swift-corelibs-foundation hang under concurrent processes: one
/// session, created once, does not.)
///
/// `@unchecked Sendable`: `downloads` is guarded by `lock`; the session is
/// set once in `init`.
final class SessionRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    static let shared = SessionRouter()

    private let lock = NSLock()
    private var downloads: [Int: BoundedDownload] = [:]
    private var session: URLSession?

    override private init() {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.timeoutIntervalForRequest = 24 * 3600
        configuration.timeoutIntervalForResource = 24 * 3600
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    func run(_ request: URLRequest, with download: BoundedDownload) async throws -> OCIRegistry.Response {
        guard let session else { throw URLError(.unknown) }
        let task = session.dataTask(with: request)
        lock.withLock { downloads[task.taskIdentifier] = download }
        return try await download.run(task)
    }

    private func download(of task: URLSessionTask, removing: Bool = false) -> BoundedDownload? {
        lock.withLock { removing ? downloads.removeValue(forKey: task.taskIdentifier) : downloads[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let download = download(of: dataTask) else { return completionHandler(.cancel) }
        completionHandler(download.received(response, method: dataTask.originalRequest?.httpMethod))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if download(of: dataTask)?.received(data) == false { dataTask.cancel() }
    }

    /// Giter sends its login itself: a challenge (HTTP 401) is the answer.
    /// swift-corelibs-foundation never completes a task that got a 401
    /// unless the challenge is cancelled; the task then ends with an error,
    /// which ``BoundedDownload`` turns back into the 401 it was.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        download(of: task)?.challenged(challenge.failureResponse)
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    /// A redirect to another origin (a blob store; `https` to `http`) does
    /// not take `Authorization` along: neither the login nor a token.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        var request = request
        let from = task.originalRequest?.url.map(OCIRegistry.origin(of:))
        if from == nil || request.url.map(OCIRegistry.origin(of:)) != from {
            request.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(request)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        download(of: task, removing: true)?.completed(task.response, error: error)
    }
}
