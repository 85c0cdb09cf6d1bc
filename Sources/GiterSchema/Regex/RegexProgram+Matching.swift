/// Running the automaton: a Thompson NFA simulation (a Pike VM without captures). Every live thread
/// advances over each scalar of the text in step; a thread is one instruction index, kept at most once
/// per position, so each scalar costs O(program) and nothing ever backtracks.
extension RegexProgram {
    /// Whether the program matches anywhere in `text` (unanchored search).
    func matches(_ text: String) -> Bool {
        var current = ThreadSet(capacity: instructions.count)
        var next = ThreadSet(capacity: instructions.count)
        var pending: [Int] = []
        pending.reserveCapacity(instructions.count)
        var scalars = text.unicodeScalars.makeIterator()
        var previous: Unicode.Scalar? = nil
        var following = scalars.next()
        var atStart = true
        while true {
            // A match may start here: add a thread at the first instruction (once at the start only, for
            // an anchored pattern).
            if atStart || !isAnchoredAtStart {
                let position = Position(previous: previous, next: following)
                if addThread(0, to: &current, at: position, pending: &pending) { return true }
            }
            guard let scalar = following, !current.isEmpty else { return false }
            let after = scalars.next()
            let position = Position(previous: scalar, next: after)
            for index in 0..<current.count where consumes(instructions[current[index]], scalar) {
                if addThread(current[index] + 1, to: &next, at: position, pending: &pending) { return true }
            }
            swap(&current, &next)
            next.removeAll()
            previous = scalar
            following = after
            atStart = false
        }
    }

    /// The scalars on either side of a position in the text (nil: the text's start or end).
    private struct Position {
        var previous: Unicode.Scalar?
        var next: Unicode.Scalar?
    }

    /// Whether a consuming instruction accepts `scalar`; false for the others.
    private func consumes(_ instruction: Instruction, _ scalar: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let expected): scalar == expected
        case .set(let index):
            scalar.value < 128 ? asciiAnswers[index].contains(scalar.value) : classes[index].contains(scalar)
        case .anyScalar: true
        case .anyExceptNewline: scalar != "\n"
        case .split, .jump, .assertion, .match: false
        }
    }

    /// Adds the thread at `start` and every thread it reaches without consuming (splits, jumps, passing
    /// assertions) to `threads`; returns true as soon as one reaches `match`. Iterative, with `pending` as
    /// its stack, so the depth of the program never grows the call stack.
    private func addThread(
        _ start: Int,
        to threads: inout ThreadSet,
        at position: Position,
        pending: inout [Int]
    ) -> Bool {
        // `pending` is empty here: every earlier call emptied it, or returned true and ended the search.
        pending.append(start)
        while let index = pending.popLast() {
            guard threads.insert(index) else { continue }
            switch instructions[index] {
            case .match:
                return true
            case .jump(let target):
                pending.append(target)
            case .split(let first, let second):
                pending.append(second)
                pending.append(first)
            case .assertion(let assertion):
                if assertion.holds(after: position.previous, before: position.next) { pending.append(index + 1) }
            case .scalar, .set, .anyScalar, .anyExceptNewline:
                break
            }
        }
        return false
    }
}

/// A set of instruction indices with O(1) insert, membership and clearing (a sparse set), in insertion
/// order.
struct ThreadSet {
    private var dense: [Int]
    private var sparse: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }

    subscript(position: Int) -> Int { dense[position] }

    /// Inserts `index`; false when it was already there.
    mutating func insert(_ index: Int) -> Bool {
        let slot = sparse[index]
        if slot < count, dense[slot] == index { return false }
        sparse[index] = count
        dense[count] = index
        count += 1
        return true
    }

    mutating func removeAll() {
        count = 0
    }
}
