import CLibFuzzer

/// One libFuzzer harness: a function of the input bytes that returns 0.
///
/// Errors thrown by the code under test are expected and ignored by the
/// harness; a crash, a trap, a sanitizer report, a timeout or memory over
/// libFuzzer's `-rss_limit_mb` is what libFuzzer reports.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Hands the process to libFuzzer's driver, which reads libFuzzer's flags
/// from the command line, runs `target`, and exits with libFuzzer's status.
///
/// SwiftPM links an executable target with its own `main` (the target's
/// top-level code), so libFuzzer's `main` is never linked; libFuzzer's
/// `LLVMFuzzerRunDriver` is its documented way in for such programs.
public func runLibFuzzer(_ target: FuzzTarget) -> Never {
    giter_run_libfuzzer(CommandLine.argc, CommandLine.unsafeArgv, target)
}

/// The input libFuzzer gives, as a byte array (the pointer may be null for
/// the empty input).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return [UInt8](UnsafeBufferPointer(start: data, count: count))
}
