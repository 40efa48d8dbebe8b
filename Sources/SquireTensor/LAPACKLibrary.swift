/// The LAPACK library this process loaded, found like ``BLASLibrary``.
public enum LAPACKLibrary {
    /// The path of the library providing `sgesv_`, when it can be found.
    public static func path() -> String? {
        LoadedLibrary.path(providing: "sgesv_")
    }
}
