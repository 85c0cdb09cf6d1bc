extension JSONReader {
    /// A growable stack of values whose top elements can be moved out into
    /// an exactly sized array in one step.
    ///
    /// The parser pushes the members of every open container here and, when
    /// the container closes, moves them into the container's array: one
    /// allocation per container, no regrowth of many small arrays and no
    /// retain/release traffic for the moved elements.
    struct ValueStack<Element>: ~Copyable {
        private var base: UnsafeMutablePointer<Element>
        private var capacity: Int
        /// The number of elements on the stack.
        private(set) var count = 0

        init(capacity: Int = 32) {
            self.capacity = max(capacity, 1)
            base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }

        mutating func append(_ element: consuming Element) {
            if count == capacity { grow() }
            (base + count).initialize(to: element)
            count += 1
        }

        /// The element at `index`, which must be below `count`.
        subscript(index: Int) -> Element {
            precondition(index >= 0 && index < count, "ValueStack index out of range")
            return base[index]
        }

        /// Moves the elements from `start` to the top into a new array.
        mutating func popArray(from start: Int) -> [Element] {
            precondition(start >= 0 && start <= count, "ValueStack start out of range")
            let moved = count - start
            guard moved > 0 else { return [] }
            let source = base + start
            let array = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
                if let destination = buffer.baseAddress {
                    destination.moveInitialize(from: source, count: moved)
                    initialized = moved
                }
            }
            count = start
            return array
        }

        private mutating func grow() {
            let newCapacity = capacity * 2
            let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
            newBase.moveInitialize(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
    }
}
