import BenchmarkSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Extra peak memory of one run of an operation, measured in a child process.
struct PeakMemory: Codable, Sendable {
    /// Resident set size just before the operation (after the peak was reset).
    var baselineBytes: Int
    /// Highest resident set size reached during the operation.
    var peakBytes: Int
    /// Size of the document the operation read or wrote, in its format.
    var documentBytes: Int
    /// Peak minus baseline: the extra memory the operation needed.
    var extraBytes: Int
    /// `extraBytes` as a multiple of `documentBytes`.
    var multipleOfDocument: Double

    init(baselineBytes: Int, peakBytes: Int, documentBytes: Int) {
        self.baselineBytes = baselineBytes
        self.peakBytes = peakBytes
        self.documentBytes = documentBytes
        extraBytes = max(0, peakBytes - baselineBytes)
        multipleOfDocument = Double(extraBytes) / Double(max(1, documentBytes))
    }
}

/// Peak memory is the kernel's high-water mark of the resident set (`VmHWM`
/// in /proc/self/status). Each measurement runs in a fresh child process
/// (this executable, re-run with `--measure-peak OP DOC`), so that one
/// operation's heap cannot hide or inflate another's:
///
/// 1. the child builds the document and runs the operation once on the small
///    document (lazy runtime metadata, caches), all before measuring;
/// 2. `malloc_trim(0)` hands freed heap back to the kernel, then writing "5"
///    to /proc/self/clear_refs resets VmHWM to the current resident size,
///    which is read as the baseline;
/// 3. the operation runs once, on a new thread, and VmHWM is read again.
///    glibc gives each new thread a malloc arena of its own, so the
///    operation's allocations land on fresh pages rather than on heap that
///    preparing the document freed and left resident (which would hide them).
///
/// The difference is the extra memory the operation needed at its peak,
/// its result included (the result is still resident when the call returns). Pages are counted when touched, so this is real
/// memory, not address space.
enum PeakMemoryProbe {
    static let flag = "--measure-peak"

    static var isSupported: Bool {
        #if os(Linux)
        return FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
        #else
        return false
        #endif
    }

    /// Parent side: runs the child and reads its one-line JSON answer.
    static func measure(_ operation: Operation, document: String) throws -> PeakMemory {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [flag, operation.id, document]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError.childFailed("\(operation.id) \(document): exit \(process.terminationStatus): \(errorText)")
        }
        return try JSONDecoder().decode(PeakMemory.self, from: data)
    }

    /// Child side: measures and prints one line of JSON.
    static func runChild(operationID: String, documentName: String) throws {
        guard let operation = Operation.named(operationID) else {
            throw BenchmarkError.usage("\(flag) OPERATION DOCUMENT; unknown operation \(operationID)")
        }
        let warmupDocument = try Documents.make(named: Documents.smallName, decodeYAML: referenceDecode)
        let document =
            documentName == Documents.smallName
            ? warmupDocument : try Documents.make(named: documentName, decodeYAML: referenceDecode)
        try operation.makeRunner(for: warmupDocument)()
        let run = try operation.makeRunner(for: document)

        #if os(Linux)
        ProcessMemory.trimHeap()
        try ProcessMemory.resetHighWaterMark()
        let baseline = try ProcessMemory.statusValue("VmHWM")
        try runOnFreshThread(run)
        let peak = try ProcessMemory.statusValue("VmHWM")
        #else
        let baseline = 0
        let peak = 0
        try run()
        #endif
        let result = PeakMemory(
            baselineBytes: baseline, peakBytes: peak, documentBytes: operation.documentBytes(document))
        let json = try JSONEncoder().encode(result)
        print(String(decoding: json, as: UTF8.self))
        withExtendedLifetime(document) {}
    }

    /// Runs `body` on a new thread and waits for it to finish.
    private static func runOnFreshThread(_ body: @escaping () throws -> Void) throws {
        #if os(Linux)
        final class Job {
            let body: () throws -> Void
            var error: (any Error)?
            init(_ body: @escaping () throws -> Void) { self.body = body }
        }
        let job = Job(body)
        let context = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
                do { try job.body() } catch { job.error = error }
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            throw BenchmarkError.childFailed("pthread_create failed: \(status)")
        }
        pthread_join(thread, nil)
        if let error = job.error { throw error }
        #else
        try body()
        #endif
    }
}
