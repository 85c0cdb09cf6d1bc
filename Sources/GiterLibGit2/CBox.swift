/// A C structure followed in memory by a retained Swift object, so a C
/// callback given a pointer to the structure can find the object.
enum CBox {
    private static func ownerOffset<T>(_: T.Type) -> Int {
        let alignment = MemoryLayout<UnsafeRawPointer>.alignment
        return (MemoryLayout<T>.stride + alignment - 1) / alignment * alignment
    }

    /// Allocates `value` followed by a retained reference to `owner`.
    static func make<T>(_ value: T, owner: AnyObject) -> UnsafeMutablePointer<T> {
        let offset = ownerOffset(T.self)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: offset + MemoryLayout<UnsafeRawPointer>.size,
            alignment: max(MemoryLayout<T>.alignment, MemoryLayout<UnsafeRawPointer>.alignment))
        let pointer = raw.initializeMemory(as: T.self, repeating: value, count: 1)
        (raw + offset).initializeMemory(
            as: UnsafeMutableRawPointer.self, repeating: Unmanaged.passRetained(owner).toOpaque(), count: 1)
        return pointer
    }

    /// The object stored after the structure at `pointer`.
    static func owner<T, Owner: AnyObject>(of pointer: UnsafeMutablePointer<T>, as _: Owner.Type) -> Owner {
        let raw = UnsafeMutableRawPointer(pointer) + ownerOffset(T.self)
        return Unmanaged<Owner>.fromOpaque(raw.load(as: UnsafeMutableRawPointer.self)).takeUnretainedValue()
    }

    /// Releases the object and frees the memory made by ``make(_:owner:)``.
    static func release<T, Owner: AnyObject>(_ pointer: UnsafeMutablePointer<T>, _: Owner.Type) {
        let raw = UnsafeMutableRawPointer(pointer) + ownerOffset(T.self)
        Unmanaged<Owner>.fromOpaque(raw.load(as: UnsafeMutableRawPointer.self)).release()
        pointer.deinitialize(count: 1)
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
