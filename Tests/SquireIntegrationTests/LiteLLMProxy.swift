import Foundation
import Glibc
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The LiteLLM proxy of `Tests/Integration/LiteLLM`, started for a suite and stopped after it:
/// a real third-party OpenAI- and Anthropic-compatible server on loopback, with mock models
/// and a scripted upstream (see that folder's README for what each model answers).
struct LiteLLMProxy: Sendable {
    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let harness = root.appendingPathComponent("Tests/Integration/LiteLLM")
    /// Whether `Scripts/setup/litellm.sh` has installed the proxy (CI always runs it).
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(
            atPath: root.appendingPathComponent(".build-litellm/venv/bin/litellm").path)
    }
    static let notInstalled =
        "the LiteLLM proxy is not installed: run Scripts/setup/litellm.sh (about 50 s, 761 MB) to run these tests"

    /// The proxy's base URL for OpenAI-format clients, such as `http://127.0.0.1:52017/v1`.
    var openAIBase: String
    /// The scripted upstream behind the proxy, for its request log.
    var upstream: String
    /// A loopback port where nothing listens.
    var closedPort: Int
    /// The proxy's master key, a dummy.
    var key: String

    /// The proxy this suite started.
    @TaskLocal static var current: LiteLLMProxy?

    /// The running proxy of the current suite.
    static var running: LiteLLMProxy {
        get throws { try #require(current, "the suite needs the .liteLLMProxy trait") }
    }

    /// Runs `start.sh` (or `stop`, `status`) and returns its standard output; its standard
    /// error (the proxy's start-up log on failure) goes to this process's.
    ///
    /// Spawned and waited for with POSIX calls, not `Process`: `Process.waitUntilExit()` never
    /// returned here after the script had exited, with the proxy it started still running.
    @discardableResult
    static func script(_ argument: String) throws -> (status: Int32, output: String) {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw ProxyError(reason: "pipe failed") }
        // Close-on-exec (the copy made standard output survives): the proxy that start.sh leaves
        // running would otherwise hold the pipe open, and reading to its end never finish.
        for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        let path = harness.appendingPathComponent("start.sh").path
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(argument), nil]
        defer { for argument in arguments { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, arguments, environ)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw ProxyError(reason: "cannot run \(path) (error \(spawned))")
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(pipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), String(decoding: output, as: UTF8.self))
    }

    /// Starts the proxy, or finds the one already running; `startedHere` says which.
    static func start() throws -> (proxy: LiteLLMProxy, startedHere: Bool) {
        let startedHere = try script("status").status != 0
        let (status, output) = try script("start")
        guard status == 0 else { throw ProxyError(reason: "start.sh exited \(status); its log is above") }
        let fields = Dictionary(
            output.split(whereSeparator: \.isWhitespace).compactMap { word -> (String, String)? in
                let parts = word.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }, uniquingKeysWith: { $1 })
        guard let proxy = fields["PROXY_PORT"], let upstream = fields["UPSTREAM_PORT"],
            let closed = fields["CLOSED_PORT"].flatMap(Int.init)
        else { throw ProxyError(reason: "start.sh printed no ports: \(output)") }
        return (
            LiteLLMProxy(
                openAIBase: "http://127.0.0.1:\(proxy)/v1", upstream: "http://127.0.0.1:\(upstream)",
                closedPort: closed,
                key: ProcessInfo.processInfo.environment["SQUIRE_LITELLM_MASTER_KEY"] ?? "sk-squire-test"),
            startedHere
        )
    }

    /// How many requests for `model` reached the scripted upstream since the last reset.
    func upstreamRequests(_ model: String) async throws -> Int {
        let (data, _) = try await URLSession.shared.data(from: URL(string: upstream + "/_requests")!)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["counts"] as? [String: Int])?[model] ?? 0
    }

    /// Forgets the upstream's counters, so "every third request" starts again.
    func resetUpstream() async throws {
        var request = URLRequest(url: URL(string: upstream + "/_reset")!)
        request.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: request)
    }

    /// A frontier model file for `model` behind the proxy, written into `folder`.
    func modelFile(
        _ model: String, provider: String = "openai", extra: String = "", in folder: URL
    ) throws -> String {
        let path = folder.appendingPathComponent("\(model).json")
        try
            #"{"provider": "\#(provider)", "base_url": "\#(openAIBase)", "model": "\#(model)", "api_key_variable": "SQUIRE_PROXY_KEY"\#(extra)}"#
            .write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    struct ProxyError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "the LiteLLM proxy could not be started: \(reason)" }
    }
}

/// Starts the LiteLLM proxy around a suite (once, however many tests it holds) and stops it
/// after, unless it was already running before.
struct LiteLLMProxyTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let (proxy, startedHere) = try LiteLLMProxy.start()
        defer { if startedHere { _ = try? LiteLLMProxy.script("stop") } }
        try await LiteLLMProxy.$current.withValue(proxy) { try await function() }
    }
}

extension Trait where Self == LiteLLMProxyTrait {
    /// The suite runs against the LiteLLM proxy.
    static var liteLLMProxy: Self { Self() }
}
