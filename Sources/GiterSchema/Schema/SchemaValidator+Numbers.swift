import GiterCodec

extension SchemaValidator {
    /// The order of two numbers (-1, 0, 1): exact for integers that fit in
    /// 64 bits, by `Double` otherwise; `nil` when either is NaN.
    static func compare(_ lhs: Node.Number, _ rhs: Node.Number) -> Int? {
        if lhs.isInteger, rhs.isInteger, let left = lhs.integer(as: Int64.self), let right = rhs.integer(as: Int64.self)
        {
            return left < right ? -1 : left == right ? 0 : 1
        }
        let left = lhs.doubleValue
        let right = rhs.doubleValue
        if left.isNaN || right.isNaN { return nil }
        return left < right ? -1 : left == right ? 0 : 1
    }

    /// Whether `number` is an integral multiple of `factor` (exact for
    /// 64-bit integers; for other values, the quotient is integral within
    /// `Double` precision).
    static func isMultiple(_ number: Node.Number, of factor: Node.Number) -> Bool {
        if number.isInteger, factor.isInteger, let value = number.integer(as: Int64.self),
            let divisor = factor.integer(as: Int64.self), divisor > 0
        {
            return value % divisor == 0
        }
        let quotient = number.doubleValue / factor.doubleValue
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= quotient.ulp * 4
    }
}
