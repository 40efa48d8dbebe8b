extension DriftMonitor {
    /// A monitor judging against `profile` from here on — the reference of a newly promoted
    /// version — that keeps the count of predictions consumed and what it knew of the version
    /// before: its accuracy, its name and when the version changed. So the first windows of
    /// the new version count as windows after a version change, and the rollback rule can
    /// compare them with the previous version's answers. The open window, the recent
    /// windows and the standing decision start afresh, as a new version's budget does.
    ///
    /// - Throws: `DriftInputError` when the budget or windowing does not suit `profile`.
    public func rebased(on profile: ReferenceProfile) throws -> DriftMonitor {
        var monitor = try DriftMonitor(profile: profile, budget: budget, windowing: windowing)
        monitor.permutations = permutations
        monitor.carry(from: state)
        return monitor
    }

    /// Takes over the stream position and the previous version's figures of `old`.
    private mutating func carry(from old: State) {
        var carried = state
        carried.consumed = old.consumed
        carried.streamDigest = old.streamDigest
        carried.windowsClosed = old.windowsClosed
        carried.previousAccuracy = old.previousAccuracy
        carried.previousVersion = old.previousVersion
        carried.windowsSinceVersionChange = old.windowsSinceVersionChange
        replaceState(carried)
    }
}
