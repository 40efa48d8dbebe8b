public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on 127.0.0.1 for the client tests: it records every request and
/// answers as the test's script says — including slowly, with errors, or by dropping the
/// connection.
public final class LoopbackServer: Sendable {
    /// One request as received.
    public struct Request: Sendable {
        /// `POST`, `GET`, …
        public var method: String
        /// The path and query.
        public var uri: String
        /// Header names lowercased.
        public var headers: [String: String]
        /// The body bytes.
        public var body: Data
        /// Parsed JSON body.
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// What the server does with a request.
    public enum Reply: Sendable {
        /// Answers after `delay`.
        case respond(status: Int, headers: [String: String] = [:], body: String, delay: Duration = .zero)
        /// Closes the connection without answering.
        case drop
    }

    /// Decides each reply; `number` counts requests from 1.
    public typealias Script = @Sendable (_ request: Request, _ number: Int) -> Reply

    private let state = Locked(State())
    private let script: Script
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: Locked<(any Channel)?> = Locked(nil)

    private struct State {
        var requests: [Request] = []
        var inFlight = 0
        var peakInFlight = 0
    }

    /// Every request received, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }
    /// The most requests that were being answered at once.
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }

    /// Creates a server that answers by `script`.
    public init(script: @escaping Script) { self.script = script }

    /// Starts listening; returns the base URL.
    public func start() async throws -> String {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
        let bound = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = bound }
        return "http://127.0.0.1:\(bound.localAddress!.port!)/v1"
    }

    /// Serves `script` while `body` runs with the base URL and the server, and stops the
    /// server afterwards, also when `body` throws.
    public static func serving<Result>(
        _ script: @escaping Script, _ body: (_ url: String, _ server: LoopbackServer) async throws -> Result
    ) async throws -> Result {
        let server = LoopbackServer(script: script)
        let url = try await server.start()
        do {
            let result = try await body(url, server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Stops listening and shuts the event loop down.
    public func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try? await group.shutdownGracefully()
    }

    fileprivate func receive(_ request: Request) -> Reply {
        let number = state.withLock { state -> Int in
            state.requests.append(request)
            state.inFlight += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
            return state.requests.count
        }
        return script(request, number)
    }

    fileprivate func finished() { state.withLock { $0.inFlight -= 1 } }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: LoopbackServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: LoopbackServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let request = Request(
                    method: head.method.rawValue, uri: head.uri, headers: headers, body: Data(body.readableBytesView))
                let reply = server.receive(request)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                switch reply {
                case .drop:
                    server.finished()
                    context.close(promise: nil)
                case .respond(let status, let extra, let text, let delay):
                    let milliseconds =
                        delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                    context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { [server] in
                        let context = bound.value
                        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Connection", "close")])
                        for (name, value) in extra { headers.add(name: name, value: value) }
                        let bytes = ByteBuffer(string: text)
                        headers.add(name: "Content-Length", value: String(bytes.readableBytes))
                        let responseHead = HTTPResponseHead(
                            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                        context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
                        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(bytes))), promise: nil)
                        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                            server.finished()
                            bound.value.close(promise: nil)
                        }
                    }
                }
            }
        }
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
