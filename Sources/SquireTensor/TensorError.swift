/// Errors from tensor operations; each names the operation and the shapes involved.
public enum TensorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two operands' shapes do not fit the operation: the operation, then both shapes.
    case shapeMismatch(_ operation: String, _ lhs: [Int], _ rhs: [Int])
    /// An argument outside what the operation accepts, with the reason.
    case invalidArgument(String)
    /// The matrix is singular: LAPACK found an exactly zero pivot at `pivot` (0-based).
    case singularMatrix(pivot: Int)
    /// The matrix is not positive definite: its leading minor of order `order` is not.
    case notPositiveDefinite(order: Int)
    /// An iterative LAPACK routine did not converge.
    case noConvergence(_ routine: String, info: Int)

    public var description: String {
        switch self {
        case .shapeMismatch(let operation, let lhs, let rhs):
            return "\(operation): shapes \(lhs) and \(rhs) do not match"
        case .invalidArgument(let reason):
            return reason
        case .singularMatrix(let pivot):
            return "the matrix is singular (zero pivot at row \(pivot)); it has no unique solution"
        case .notPositiveDefinite(let order):
            return "the matrix is not positive definite (leading minor of order \(order)); use the general solver"
        case .noConvergence(let routine, let info):
            return "LAPACK \(routine) did not converge (info \(info))"
        }
    }
}
