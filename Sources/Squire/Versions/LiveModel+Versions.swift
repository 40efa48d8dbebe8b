public import SquireEval

extension LiveModel {
    /// Promotes `version` in `store` and serves it, checking its labels before the pointer
    /// moves, so store and slot never disagree.
    ///
    /// - Throws: ``SwapError/labelsDiffer(current:new:)`` (unless `acceptingNewLabels`),
    ///   `ModelVersionsError` or `BundleError`; the pointer and the slot then stay as they were.
    @discardableResult
    public func promote(
        _ version: String, in store: ModelVersions, reason: String, gate: GateResult? = nil,
        acceptingNewLabels: Bool = false
    ) throws -> ModelBundle {
        let bundle = try ModelBundle(folder: store.folder(of: version))
        let current = labels
        guard acceptingNewLabels || Set(bundle.labels) == Set(current) else {
            throw SwapError.labelsDiffer(current: current, new: bundle.labels)
        }
        let promoted = try store.promote(version, reason: reason, gate: gate)
        try swap(to: Version(promoted.version, promoted), acceptingNewLabels: true)
        return promoted
    }

    /// Rolls `store` back to the version live before and serves that version.
    ///
    /// - Throws: `ModelVersionsError` or `BundleError`; the pointer and the slot then stay as
    ///   they were.
    @discardableResult
    public func rollBack(in store: ModelVersions, reason: String) throws -> ModelBundle {
        let bundle = try store.rollBack(reason: reason)
        try swap(to: Version(bundle.version, bundle), acceptingNewLabels: true)
        return bundle
    }
}
