import Foundation
import Testing

/// The built `squire` binary, which sits beside the test bundle in the build folder.
func squireBinary() -> URL {
    let bundle =
        Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
        ?? URL(fileURLWithPath: CommandLine.arguments[0])
    return bundle.deletingLastPathComponent().appendingPathComponent("squire")
}

/// A process for the built `squire` binary, in this process's environment plus `environment`.
private func squireProcess(_ arguments: [String], environment: [String: String]) -> Process {
    let process = Process()
    process.executableURL = squireBinary()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    return process
}

/// Runs the built `squire` binary.
func runSquire(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = squireProcess(arguments, environment: environment)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs the built `squire` binary with `--json` output: the status, standard output parsed
/// as one JSON object (progress lines go to standard error and are kept apart), and the errors.
func runSquireJSON(_ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, object: [String: Any]?, errors: String
) {
    let process = squireProcess(arguments, environment: environment)
    let output = Pipe()
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("squire-stderr-\(UUID().uuidString)")
    // Standard error goes to a file: two pipes read one after the other can deadlock.
    guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown)
    }
    defer { try? FileManager.default.removeItem(at: errors) }
    let errorHandle = try FileHandle(forWritingTo: errors)
    defer { try? errorHandle.close() }
    process.standardOutput = output
    process.standardError = errorHandle
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    return (process.terminationStatus, object, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
}

@Suite struct DoctorCommandTests {
    @Test func reportsTheLoadedBLASAsJSON() throws {
        let (status, output) = try runSquire(["doctor", "--json"])
        #expect(status == 0, "\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let blas = try #require(report["blas"] as? [String: Any])
        #expect(blas["implementation"] as? String != "unknown")
        #expect((blas["path"] as? String)?.isEmpty == false)
        #expect((report["sgemm_gflops"] as? Double ?? 0) > 0)
        #expect(
            ["AVX-512 VNNI (vpdpbusd)", "AVX2 (int8: 7-bit activations in blocks of 64)", "Swift SIMD"].contains(
                report["integer_kernels"] as? String ?? ""))
    }

    @Test func namesTheIntegerKernelTheEnvironmentChose() throws {
        let (status, output) = try runSquire(["doctor", "--json"], environment: ["SQUIRE_QUANTIZED_KERNEL": "swift"])
        #expect(status == 0, "\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(report["integer_kernels"] as? String == "Swift SIMD")
        #expect((report["warnings"] as? [String])?.isEmpty == true, "\(output)")
        let (_, text) = try runSquire(["doctor"], environment: ["SQUIRE_QUANTIZED_KERNEL": "avx9"])
        #expect(text.contains("warning: SQUIRE_QUANTIZED_KERNEL=avx9 is ignored: this CPU runs "), "\(text)")
    }

    @Test func warnsWhenTheReferenceBLASIsLoaded() throws {
        // Debian's Netlib BLAS (package libblas3) lives here; forcing it is how the peers
        // harness measures the slow path, and how a user ends up on it by accident.
        let netlib = "/usr/lib/x86_64-linux-gnu/blas"
        guard FileManager.default.fileExists(atPath: netlib + "/libblas.so.3") else {
            print("skipped: no Netlib BLAS at \(netlib) (apt-get install libblas3)")
            return
        }
        let (status, output) = try runSquire(["doctor"], environment: ["LD_LIBRARY_PATH": netlib])
        #expect(status == 0, "\(output)")
        #expect(output.contains("reference (Netlib)"))
        #expect(output.contains("warning: the Netlib reference BLAS is loaded"))
        #expect(output.contains("apt-get install -y libopenblas0"))
    }

    @Test func everySubcommandsHelpCarriesAnExample() throws {
        // The subcommands as `squire --help` lists them, so a new one is checked too.
        let (status, root) = try runSquire(["--help"])
        #expect(status == 0)
        let listing = try #require(root.range(of: "SUBCOMMANDS:")).upperBound
        let subcommands = root[listing...].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }.filter { $0 != "See" }
        #expect(subcommands.count >= 18, "\(subcommands)")
        for subcommand in subcommands {
            let (status, output) = try runSquire([subcommand, "--help"])
            #expect(status == 0)
            // An "Example:" or "Examples:" heading, then a command line of this subcommand.
            let example = try #require(output.range(of: "Example"), "\(subcommand) --help has no example")
            #expect(output[example.upperBound...].contains("squire \(subcommand) "), "\(output)")
        }
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let (status, _) = try runSquire(["frobnicate"])
        #expect(status == 2)
    }
}
