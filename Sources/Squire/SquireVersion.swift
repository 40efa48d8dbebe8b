/// This Squire's version, as `squire --version` prints it and `EnvironmentReport` records it.
public enum SquireVersion {
    /// The released version this source belongs to.
    public static let current = "0.1.0"
}
