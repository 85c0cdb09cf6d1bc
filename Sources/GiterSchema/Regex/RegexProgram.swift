/// A compiled pattern: the instructions of a Thompson NFA that ``RegexProgram/matches(_:)`` runs over
/// the text once, every thread in step, so matching takes O(text × program) time and O(program) memory.
struct RegexProgram: Sendable {
    /// One step of the automaton.
    enum Instruction: Sendable, Hashable {
        /// Consume this scalar.
        case scalar(Unicode.Scalar)
        /// Consume a scalar of ``RegexProgram/classes``[index].
        case set(Int)
        /// Consume any scalar.
        case anyScalar
        /// Consume any scalar but a newline.
        case anyExceptNewline
        /// Continue at both instructions.
        case split(Int, Int)
        /// Continue at the instruction.
        case jump(Int)
        /// Continue at the next instruction if the position passes.
        case assertion(RegexAssertion)
        /// The pattern matched.
        case match
    }

    /// The instructions; the automaton starts at 0.
    private(set) var instructions: [Instruction] = []
    /// The classes `set` instructions test.
    private(set) var classes: [RegexCharacterClass] = []
    /// For each of ``classes``, its answer for every ASCII scalar, so that the common case is one bit test.
    private(set) var asciiAnswers: [ASCIIAnswers] = []
    /// Whether a match can only start at the start of the text (the pattern begins with `\A` or `^`
    /// without `m`), so no thread need start later.
    private(set) var isAnchoredAtStart = false

    /// Compiles a tree whose ``cost(of:limit:)`` is within the program size limit.
    init(_ tree: RegexNode) {
        emit(tree)
        instructions.append(.match)
        isAnchoredAtStart = Self.isAnchoredAtStart(tree)
    }

    private static func isAnchoredAtStart(_ node: RegexNode) -> Bool {
        switch node {
        case .assertion(.textStart): true
        case .concatenation(let items): items.first.map(isAnchoredAtStart) ?? false
        case .alternation(let branches): branches.allSatisfy(isAnchoredAtStart)
        default: false
        }
    }

    @discardableResult
    private mutating func append(_ instruction: Instruction) -> Int {
        instructions.append(instruction)
        return instructions.count - 1
    }

    /// Points the split at `index` to `first` and the next free instruction.
    private mutating func patchSplit(_ index: Int, first: Int) {
        instructions[index] = .split(first, instructions.count)
    }

    private mutating func emit(_ node: RegexNode) {
        switch node {
        case .empty:
            break
        case .literal(let scalar):
            append(.scalar(scalar))
        case .set(var characterClass):
            characterClass.normalize()
            classes.append(characterClass)
            asciiAnswers.append(ASCIIAnswers(characterClass))
            append(.set(classes.count - 1))
        case .any(let matchesNewline):
            append(matchesNewline ? .anyScalar : .anyExceptNewline)
        case .assertion(let assertion):
            append(.assertion(assertion))
        case .concatenation(let items):
            for item in items { emit(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for branch in branches.dropLast() {
                let split = append(.split(0, 0))
                emit(branch)
                jumps.append(append(.jump(0)))
                patchSplit(split, first: split + 1)
            }
            if let last = branches.last { emit(last) }
            for jump in jumps { instructions[jump] = .jump(instructions.count) }
        case .repetition(let body, let minimum, let maximum, _):
            emitRepetition(body, minimum: minimum, maximum: maximum)
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, minimum: Int, maximum: Int?) {
        if let maximum {
            // x{n,m}: n copies, then m - n optional copies that each may skip to the end.
            for _ in 0..<minimum { emit(body) }
            var splits: [Int] = []
            for _ in minimum..<max(minimum, maximum) {
                splits.append(append(.split(0, 0)))
                emit(body)
            }
            for split in splits { patchSplit(split, first: split + 1) }
        } else if minimum == 0 {
            // x*: loop: split body, end; body; jump loop.
            let loop = append(.split(0, 0))
            emit(body)
            append(.jump(loop))
            patchSplit(loop, first: loop + 1)
        } else {
            // x{n,}: n - 1 copies, then a copy that may repeat.
            for _ in 0..<(minimum - 1) { emit(body) }
            let start = instructions.count
            emit(body)
            append(.split(start, instructions.count + 1))
        }
    }
}

/// A class's answers for the 128 ASCII scalars, as bits.
struct ASCIIAnswers: Sendable, Hashable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init(_ characterClass: RegexCharacterClass) {
        for value in 0..<UInt8(128) where characterClass.contains(Unicode.Scalar(value)) {
            if value < 64 { low |= 1 << value } else { high |= 1 << (value - 64) }
        }
    }

    /// Whether the class matches the ASCII scalar `value` (below 128).
    func contains(_ value: UInt32) -> Bool {
        value < 64 ? low & (1 << value) != 0 : high & (1 << (value - 64)) != 0
    }
}

extension RegexProgram {
    /// An upper bound of the instructions `node` compiles to, counting at least one per node so that it
    /// also bounds the work of compiling; stops counting past `limit`. Throws at the repetition that
    /// takes the count past `limit`.
    static func cost(of node: RegexNode, limit: Int) throws(LinearRegexError) -> Int {
        switch node {
        case .empty, .literal, .set, .any, .assertion:
            return 1
        case .concatenation(let items):
            var total = 1
            for item in items {
                total += try cost(of: item, limit: limit)
                if total > limit { return total }
            }
            return total
        case .alternation(let branches):
            var total = 1
            for branch in branches {
                total += try cost(of: branch, limit: limit) + 2
                if total > limit { return total }
            }
            return total
        case .repetition(let body, let minimum, let maximum, let offset):
            let copies = (maximum ?? minimum) + 1
            let (product, overflow) = (try cost(of: body, limit: limit) + 1).multipliedReportingOverflow(by: copies)
            if overflow || product + 1 > limit {
                throw LinearRegexError(
                    .tooLarge,
                    "this repetition makes the pattern compile to more than \(limit) instructions; "
                        + "repeat a smaller expression or fewer times",
                    offset: offset
                )
            }
            return product + 1
        }
    }
}
