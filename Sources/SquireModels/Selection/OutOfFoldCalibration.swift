public import SquireTensor

/// A calibration fitted on out-of-fold logits, kept only when it makes confidences more honest
/// on data it was not fitted on.
///
/// The logits come from models that never saw the rows they scored, as scikit-learn's
/// `CalibratedClassifierCV(ensemble=False)` gathers them with `cross_val_predict`; the
/// calibration fitted on all of them is applied to the model refitted on all the data.
/// Whether to keep it is decided by cross-fitting: for each group of rows, a calibration
/// fitted on the other groups scores that group, and the calibrated expected calibration
/// error (15 equal-width bins) over all rows must beat the uncalibrated one. A temperature
/// fitted to a model that is already honest would otherwise only add noise.
public struct OutOfFoldCalibration: Sendable, Hashable, Codable {
    /// The calibration to ship: ``fitted`` when it was kept, else ``Calibration/none``.
    public var calibration: Calibration
    /// Temperature scaling, or Platt scaling for two labels, fitted on every row.
    public var fitted: Calibration
    /// Expected calibration error of the plain softmax over every row.
    public var eceBefore: Double
    /// Expected calibration error over every row, each calibrated by a fit on the other groups.
    public var eceCrossFitted: Double

    /// Whether the calibration was kept.
    public var kept: Bool { calibration != .none }

    /// The shipped calibration's cross-fitted error: ``eceCrossFitted`` when kept, else ``eceBefore``.
    public var eceAfter: Double { kept ? eceCrossFitted : eceBefore }

    /// Fits and checks a calibration.
    ///
    /// - Parameters:
    ///   - logits: `[N, K]` out-of-fold logits.
    ///   - classIndices: each row's label index.
    ///   - groups: each row's cross-fitting group (its fold); needs at least two groups.
    public init(logits: Tensor, classIndices: [Int], groups: [Int]) throws {
        guard groups.count == classIndices.count, Set(groups).count >= 2 else {
            throw TrainingError.invalidConfiguration(
                "cross-fitting a calibration needs one group per row and at least two groups")
        }
        let twoLabels = logits.rank == 2 && logits.shape[1] == 2
        func fit(_ rows: [Int]) throws -> Calibration {
            let part = try logits.gatheringRows(at: rows)
            let indices = rows.map { classIndices[$0] }
            return twoLabels
                ? try Calibration.fitPlatt(logits: part, classIndices: indices)
                : try Calibration.fitTemperature(logits: part, classIndices: indices)
        }
        fitted = try fit(Array(classIndices.indices))
        eceBefore = try Calibration.expectedCalibrationError(logits.softmax(), classIndices)
        // Every row calibrated by the fit on the other groups, gathered back in row order.
        let width = logits.shape[1]
        var crossFitted = [Float](repeating: 0, count: logits.count)
        for group in Set(groups).sorted() {
            let inside = groups.indices.filter { groups[$0] == group }
            let calibration = try fit(groups.indices.filter { groups[$0] != group })
            let probabilities = try calibration.probabilities(fromLogits: logits.gatheringRows(at: inside))
            for (position, row) in inside.enumerated() {
                for column in 0..<width {
                    crossFitted[row * width + column] = probabilities.scalars[position * width + column]
                }
            }
        }
        eceCrossFitted = try Calibration.expectedCalibrationError(
            Tensor(shape: logits.shape, scalars: crossFitted), classIndices)
        calibration = eceCrossFitted < eceBefore ? fitted : .none
    }

    private enum CodingKeys: String, CodingKey {
        case calibration, fitted
        case eceBefore = "ece_before"
        case eceCrossFitted = "ece_cross_fitted"
    }
}
