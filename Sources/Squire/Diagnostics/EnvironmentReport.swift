import Foundation
import SquireQuantization
public import SquireTensor

/// What this machine gives Squire to run on: toolchain, platform, the BLAS library actually
/// loaded and its threads, a quick sgemm figure, the integer kernels, and warnings with the
/// command that fixes each. `squire doctor` prints it.
public struct EnvironmentReport: Sendable, Codable {
    /// Squire's version.
    public var squireVersion: String
    /// The Swift compiler Squire was built with.
    public var swiftCompiler: String
    /// The first line of `swift --version` of the toolchain on PATH, if any.
    public var swiftToolchain: String?
    /// Operating system and architecture.
    public var platform: String
    /// Active processors.
    public var processors: Int
    /// The BLAS library the process loaded.
    public var blas: BLASLibrary
    /// The LAPACK library file, if found.
    public var lapackPath: String?
    /// GFLOP/s of a few encoder-sized products: enough to tell OpenBLAS from the reference.
    public var sgemmGFLOPS: Double
    /// The integer kernels quantized models run on this CPU.
    public var integerKernels: String
    /// What is wrong, each with the command that fixes it.
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case squireVersion = "squire_version"
        case swiftCompiler = "swift_compiler"
        case swiftToolchain = "swift_toolchain"
        case platform, processors, blas
        case lapackPath = "lapack_path"
        case sgemmGFLOPS = "sgemm_gflops"
        case integerKernels = "integer_kernels"
        case warnings
    }

    /// Looks at this process and machine (it runs a short sgemm).
    public static func gather() -> EnvironmentReport {
        // Read the library after Squire has set it up as every product will find it.
        BLASThreads.ensureSingle()
        let blas = BLASLibrary.loaded()
        var warnings: [String] = []
        if blas.isReference {
            warnings.append(
                """
                the Netlib reference BLAS is loaded: it is single-threaded and 10-50x slower than OpenBLAS. \
                Install OpenBLAS and Debian's alternatives switch to it, with no rebuild: \
                sudo apt-get install -y libopenblas0
                """)
        } else if blas.implementation == .unknown {
            warnings.append(
                "the BLAS library could not be identified; `squire doctor` checks for OpenBLAS, BLIS, MKL and Netlib")
        }
        if blas.implementation == .openBLAS, let threads = blas.threadCount, threads != 1 {
            warnings.append(
                "OpenBLAS runs \(threads) threads after Squire set it to 1; products may differ in the last bits from run to run"
            )
        }
        if let name = ProcessInfo.processInfo.environment[QuantizedKernel.environmentVariable],
            name != QuantizedKernel.best.name
        {
            let names = QuantizedKernel.allCases.filter { $0 != .reference && $0.isAvailable }.map(\.name)
            warnings.append(
                "\(QuantizedKernel.environmentVariable)=\(name) is ignored: this CPU runs \(names.joined(separator: ", "))"
            )
        }
        #if arch(x86_64)
            let arch = "x86_64"
        #elseif arch(arm64)
            let arch = "arm64"
        #else
            let arch = "unknown"
        #endif
        #if os(Linux)
            let os = "Linux"
        #elseif os(macOS)
            let os = "macOS"
        #else
            let os = "unknown"
        #endif
        return EnvironmentReport(
            squireVersion: SquireVersion.current,
            swiftCompiler: compilerVersion,
            swiftToolchain: toolchainVersion(),
            platform: "\(os) \(arch)",
            processors: ProcessInfo.processInfo.activeProcessorCount,
            blas: blas,
            lapackPath: LAPACKLibrary.path(),
            sgemmGFLOPS: measureSgemm(),
            integerKernels: QuantizedKernel.best.summary,
            warnings: warnings)
    }

    /// The report as `squire doctor` prints it.
    public var text: String {
        var lines = [
            "Squire \(squireVersion)",
            "  Swift        built with \(swiftCompiler)\(swiftToolchain.map { "; on PATH: \($0)" } ?? "")",
            "  Platform     \(platform), \(processors) cores",
            "  BLAS         \(blas.implementation.rawValue)\(blas.configuration.map { " (\($0))" } ?? "")",
            "  BLAS file    \(blas.path ?? "not found")",
            "  BLAS threads \(blas.threadCount.map(String.init) ?? "not reported") (Squire splits products over the \(processors) cores itself)",
            "  LAPACK file  \(lapackPath ?? "not found")",
            "  sgemm        \(String(format: "%.1f", sgemmGFLOPS)) GFLOP/s (512×384 · 384×1536, a quick check, not a benchmark)",
            "  int8/int4    \(integerKernels) kernels for quantized models",
        ]
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    private static var compilerVersion: String {
        #if compiler(>=6.4)
            return "Swift 6.4 or later"
        #elseif compiler(>=6.3)
            return "Swift 6.3"
        #elseif compiler(>=6.2)
            return "Swift 6.2"
        #else
            return "Swift 6.1"
        #endif
    }

    /// The first line of `swift --version`, if a toolchain is on PATH.
    private static func toolchainVersion() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }

    /// GFLOP/s of a few encoder-sized products: enough to tell OpenBLAS from the reference.
    private static func measureSgemm() -> Double {
        var generator = SeededGenerator(seed: 1)
        guard let a = try? Tensor.uniform([512, 384], in: -1...1, using: &generator),
            let b = try? Tensor.uniform([384, 1536], in: -1...1, using: &generator)
        else { return 0 }
        _ = try? Tensor.matmul(a, b)
        let repeats = 5
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<repeats { _ = try? Tensor.matmul(a, b) }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(2 * 512 * 384 * 1536 * repeats) / seconds / 1e9
    }
}
