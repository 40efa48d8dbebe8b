#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds which shared library provides a symbol in this process.
enum LoadedLibrary {
    /// The address `symbol` resolves to in the process's global scope, as a caller sees it.
    static func address(of symbol: String) -> UnsafeMutableRawPointer? {
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(process) }
        return dlsym(process, symbol)
    }

    /// The address of `symbol` as seen from the library at `path` and its own dependencies,
    /// which tells what that library is built on, whatever else the process loaded.
    static func address(of symbol: String, withinLibraryAt path: String) -> UnsafeMutableRawPointer? {
        guard let library = dlopen(path, RTLD_NOW | RTLD_NOLOAD) else { return nil }
        defer { dlclose(library) }
        return dlsym(library, symbol)
    }

    /// The file mapped at the address `symbol` resolves to, from `/proc/self/maps`.
    ///
    /// This reads the kernel's own record of what is mapped where, so it names the file
    /// the dynamic linker really chose (through any alternatives symlinks), not a guess.
    static func path(providing symbol: String) -> String? {
        guard let address = address(of: symbol).map({ UInt(bitPattern: $0) }),
            let maps = fopen("/proc/self/maps", "r")
        else { return nil }
        defer { fclose(maps) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, maps) > 0, let line {
            // "start-end perms offset dev inode   path"
            let fields = String(cString: line).split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                address >= start, address < end
            else { continue }
            return fields[5...].joined(separator: " ").trimmingNewline()
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingNewline() -> String {
        var result = self
        while result.last == "\n" { result.removeLast() }
        return result
    }
}
