/// The command line of LinearBenchmark.
struct Options: Sendable {
    var quick = false
    var measurePeak = true
    var paths = LinearPath.allCases
    var shapes = Shape.allCases
    var sizes = [10_000, 40_000, 160_000, 640_000, 2_500_000, 4_000_000]
    /// Peak extra memory allowed: `memoryFactor` × input + `memoryConstant`.
    var memoryFactor = 3.0
    var memoryConstant = 1 << 20
    /// Time per byte at the largest size over that at the smallest, at most.
    var timeRatio = 2.0

    static let usage = """
        usage: LinearBenchmark [--quick] [--no-peak] [--paths P,P] [--shapes S,S] [--sizes N,N]
          --quick        few runs and sizes 10 KB, 160 KB, 1 MB: a smoke run
          --no-peak      skip the peak-memory child processes (memory targets are then not judged)
          --paths        some of: \(LinearPath.allCases.map { $0.rawValue }.joined(separator: ","))
          --shapes       some of: \(Shape.allCases.map { $0.rawValue }.joined(separator: ","))
          --sizes        input sizes in bytes (default 10000,40000,160000,640000,2500000,4000000)
        Exits 1 when a target fails, 2 on a usage or setup error.
        """

    init(arguments: [String]) throws {
        var remaining = arguments[...]
        func list(_ name: String) throws -> [String] {
            guard let value = remaining.popFirst() else { throw LinearError.usage("\(name) needs a value\n\(Self.usage)") }
            return value.split(separator: ",").map(String.init)
        }
        var sizesGiven = false
        while let argument = remaining.popFirst() {
            switch argument {
            case "--quick": quick = true
            case "--no-peak": measurePeak = false
            case "--paths":
                paths = try list(argument).map {
                    guard let path = LinearPath(rawValue: $0) else { throw LinearError.usage("unknown path \($0)\n\(Self.usage)") }
                    return path
                }
            case "--shapes":
                shapes = try list(argument).map {
                    guard let shape = Shape(rawValue: $0) else { throw LinearError.usage("unknown shape \($0)\n\(Self.usage)") }
                    return shape
                }
            case "--sizes":
                sizes = try list(argument).map {
                    guard let size = Int($0), size > 0 else { throw LinearError.usage("bad size \($0)\n\(Self.usage)") }
                    return size
                }
                sizesGiven = true
            default: throw LinearError.usage("unknown argument \(argument)\n\(Self.usage)")
            }
        }
        if quick && !sizesGiven { sizes = [10_000, 160_000, 1_000_000] }
        guard sizes.count >= 2 else { throw LinearError.usage("give at least two sizes\n\(Self.usage)") }
        sizes.sort()
    }
}
