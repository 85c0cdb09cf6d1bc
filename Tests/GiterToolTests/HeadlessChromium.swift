import Foundation
import GitServerFixtures
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's `chromium`, headless, driven through the DevTools protocol over
/// `--remote-debugging-pipe` (JSON messages ended by NUL: the browser reads
/// its descriptor 3 and writes its descriptor 4), with a profile folder of
/// its own. No WebSocket, no driver: a page is opened, then JavaScript
/// promises are awaited in it.
final class HeadlessChromium: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A host name the browser resolves to 127.0.0.1.
    static let reboundHost = "board.attacker.example"

    /// Why the test cannot run here, or nil.
    static var unavailableReason: String? {
        executable == nil ? "`chromium` not found; install the Debian package `chromium`" : nil
    }

    /// The browser itself when Debian's launcher script is there (its `exec` keeps the
    /// descriptors, but the script adds nothing the test needs), else `chromium` on PATH.
    static var executable: String? {
        ExecutableLocator.find("/usr/lib/chromium/chromium") ?? ExecutableLocator.find("chromium")
    }

    /// The calls waiting for their answers, by id.
    private final class Calls: Sendable {
        struct State {
            var nextID = 0
            var pending: [Int: CheckedContinuation<Data, any Error>] = [:]
            var closed = false
        }

        let state = Mutex(State())
    }

    let process: ChildProcess
    private let commands: Int32
    private let calls = Calls()
    private let profile: URL
    private let reader: Task<Void, Never>

    /// Starts the browser on an empty page.
    init() throws {
        guard let executable = Self.executable else { throw Failure(description: Self.unavailableReason ?? "") }
        // A write to a browser that died must fail, not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("giter-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let toBrowser = try DescriptorPipe()
        let fromBrowser = try DescriptorPipe()
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        process = try ChildProcess.spawn(
            executable,
            [
                "--headless", "--remote-debugging-pipe", "--user-data-dir=\(profile.path)",
                // Root in a container has no usable sandbox; the pages are the test's own.
                "--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                // A name of another site that resolves to loopback, as after DNS rebinding.
                "--host-resolver-rules=MAP \(Self.reboundHost) 127.0.0.1",
                "about:blank",
            ],
            environment: environment,
            descriptors: [0: devNull, 1: devNull, 2: devNull, 3: toBrowser.read, 4: fromBrowser.write]
        )
        closeDescriptor(devNull)
        closeDescriptor(toBrowser.read)
        closeDescriptor(fromBrowser.write)
        commands = toBrowser.write
        let messages = DescriptorReader.chunks(of: fromBrowser.read)
        let calls = self.calls
        reader = Task {
            var buffer: [UInt8] = []
            for await chunk in messages {
                buffer += chunk
                while let end = buffer.firstIndex(of: 0) {
                    let message = Data(buffer[..<end])
                    buffer.removeSubrange(...end)
                    guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
                        let id = object["id"] as? Int
                    else { continue }  // an event
                    let waiter = calls.state.withLock { $0.pending.removeValue(forKey: id) }
                    waiter?.resume(returning: message)
                }
            }
            let waiters = calls.state.withLock { state in
                state.closed = true
                defer { state.pending.removeAll() }
                return Array(state.pending.values)
            }
            for waiter in waiters { waiter.resume(throwing: Failure(description: "the browser closed its pipe")) }
        }
    }

    /// Sends `method` with `params` (to the page of `session`, if given)
    /// and returns its `result`.
    ///
    /// - Throws: ``Failure`` with the browser's error, or when it is gone.
    func call(_ method: String, _ params: [String: any Sendable] = [:], session: String? = nil) async throws
        -> [String: Any]
    {
        let answer: Data = try await withCheckedThrowingContinuation { continuation in
            let id: Int? = calls.state.withLock { state in
                guard !state.closed else { return nil }
                state.nextID += 1
                state.pending[state.nextID] = continuation
                return state.nextID
            }
            guard let id else {
                continuation.resume(throwing: Failure(description: "the browser is gone"))
                return
            }
            var message: [String: Any] = ["id": id, "method": method, "params": params]
            if let session { message["sessionId"] = session }
            var bytes: [UInt8] = []
            if let data = try? JSONSerialization.data(withJSONObject: message) { bytes = [UInt8](data) + [0] }
            if bytes.isEmpty || !writeAll(bytes, to: commands) {
                let waiter = calls.state.withLock { $0.pending.removeValue(forKey: id) }
                waiter?.resume(throwing: Failure(description: "cannot write to the browser"))
            }
        }
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        if let error = object["error"] as? [String: Any] {
            throw Failure(description: "\(method): \(error["message"] ?? error)")
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// Opens `url` in the browser's page and returns the page's session.
    func navigate(to url: String) async throws -> String {
        let targets = try await call("Target.getTargets")["targetInfos"] as? [[String: Any]] ?? []
        guard let page = targets.first(where: { $0["type"] as? String == "page" })?["targetId"] as? String else {
            throw Failure(description: "the browser has no page: \(targets)")
        }
        let attached = try await call("Target.attachToTarget", ["targetId": page, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "no session") }
        _ = try await call("Page.navigate", ["url": url], session: session)
        return session
    }

    /// Evaluates `expression` in the page, awaiting it when it is a promise; returns its value as text.
    func evaluate(_ expression: String, session: String) async throws -> String {
        let result = try await call(
            "Runtime.evaluate",
            ["expression": expression, "awaitPromise": true, "returnByValue": true],
            session: session
        )
        if let exception = result["exceptionDetails"] as? [String: Any] {
            let text = (exception["exception"] as? [String: Any])?["description"] ?? exception["text"] ?? exception
            throw Failure(description: "\(text)")
        }
        return "\((result["result"] as? [String: Any])?["value"] ?? "")"
    }

    /// Waits in the page until `condition` (a JavaScript expression) is
    /// truthy, checked at once and after every change of the document and
    /// of its `readyState` (which is no change of the tree);
    /// returns its value as text. The page gives up after `limit`.
    ///
    /// - Throws: ``Failure`` with the page's text when the time is up.
    func waitUntil(_ condition: String, session: String, limit: Duration = .seconds(30)) async throws -> String {
        let milliseconds = limit.components.seconds * 1_000
        let expression = """
            new Promise(function (resolve, reject) {
              function value() { try { return (\(condition)); } catch (e) { return null; } }
              function check() {
                var v = value();
                if (v) {
                  observer.disconnect(); document.removeEventListener("readystatechange", check);
                  clearTimeout(timer); resolve(String(v));
                }
              }
              var observer = new MutationObserver(check);
              var timer = setTimeout(function () {
                observer.disconnect(); document.removeEventListener("readystatechange", check);
                var text = document.body ? document.body.innerText.slice(0, 2000) : "no body";
                reject(new Error("not within \(milliseconds) ms: " + text));
              }, \(milliseconds));
              observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
              document.addEventListener("readystatechange", check);
              check();
            })
            """
        // A navigation still under way replaces the page's context: ask again in the new one.
        for _ in 0..<20 {
            let result: [String: Any]
            do {
                result = try await call(
                    "Runtime.evaluate",
                    ["expression": expression, "awaitPromise": true, "returnByValue": true],
                    session: session
                )
            } catch let failure as Failure where failure.description.contains("context") {
                continue
            }
            if let exception = result["exceptionDetails"] as? [String: Any] {
                let text = (exception["exception"] as? [String: Any])?["description"] ?? exception["text"] ?? exception
                throw Failure(description: "\(text)")
            }
            return (result["result"] as? [String: Any])?["value"] as? String ?? ""
        }
        throw Failure(description: "the page kept navigating")
    }

    /// Closes the browser (or kills it when it does not close within 10 s) and removes its profile.
    func close() async {
        let bytes = Array(#"{"id":0,"method":"Browser.close"}"#.utf8) + [0]
        _ = writeAll(bytes, to: commands)
        let process = self.process
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await process.exit.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
        if !closed { await process.forceStop() }
        closeDescriptor(commands)
        await reader.value
        try? FileManager.default.removeItem(at: profile)
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
