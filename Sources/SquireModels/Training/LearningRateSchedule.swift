/// A learning rate that rises linearly over the warm-up steps (`peak / warmupSteps` at the
/// first, `peak` at the last), then falls linearly to 0 at the end of the run, like Hugging
/// Face's `get_linear_schedule_with_warmup` except that no step is spent at rate 0.
public struct LearningRateSchedule: Sendable, Hashable {
    /// The rate at the end of warm-up.
    public var peak: Double
    /// Steps spent rising.
    public var warmupSteps: Int
    /// All steps of the run.
    public var totalSteps: Int

    /// Creates a schedule.
    public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
    }

    /// The rate for update number `step`, counted from 0.
    public func rate(atStep step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let remaining = Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps))
        return peak * max(0, remaining)
    }
}
