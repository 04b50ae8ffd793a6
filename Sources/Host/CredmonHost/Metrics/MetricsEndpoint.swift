import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `GET /metrics` over HTTP/1.1 on the NIO the daemon already links: a bound listening socket, run as a service until
/// graceful shutdown. Other paths answer 404, other methods 405; a connection idle for 30 s is closed.
final class MetricsEndpoint: Service, Sendable {
    private let channel: any Channel
    private let logger: Logger

    /// The address the socket is bound to (the port the system chose when 0 was asked for).
    let boundPort: Int?

    private init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
        self.boundPort = channel.localAddress?.port
    }

    /// Binds `address` now, so that a port in use stops the daemon at start rather than later, and logs where it
    /// serves (a notice when the address is not loopback: other machines can read the metrics).
    static func start(_ address: MetricsAddress, exporter: MetricsExporter, logger: Logger) async throws -> MetricsEndpoint {
        let endpoint = try await bind(address, exporter: exporter, logger: logger)
        let served = MetricsAddress(host: address.host, port: endpoint.boundPort ?? address.port)
        let metadata: Logger.Metadata = ["credmon.address": "\(served)", "credmon.path": "/metrics"]
        if address.isLoopback {
            logger.info("Serving metrics", metadata: metadata)
        } else {
            logger.notice("Serving metrics on an address that is not loopback; other machines can read them", metadata: metadata)
        }
        return endpoint
    }

    private static func bind(_ address: MetricsAddress, exporter: MetricsExporter, logger: Logger) async throws -> MetricsEndpoint {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(allTimeout: .seconds(30)))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(MetricsHTTPHandler(exporter: exporter))
                }
            }
            .bind(host: address.host, port: address.port).get()
        return MetricsEndpoint(channel: channel, logger: logger)
    }

    func run() async throws {
        let channel = self.channel
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        logger.debug("Metrics endpoint closed")
    }
}

/// One connection's requests: the exposition for `GET`/`HEAD /metrics`.
private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exporter: MetricsExporter
    private var head: HTTPRequestHead?

    init(exporter: MetricsExporter) { self.exporter = exporter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        let body: [UInt8]
        if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            headers.add(name: "Allow", value: "GET, HEAD")
            body = Array("only GET and HEAD\n".utf8)
        } else if path == "/metrics" {
            status = .ok
            body = exporter.exposition()
        } else {
            status = .notFound
            body = Array("metrics are at /metrics\n".utf8)
        }
        headers.add(name: "Content-Type", value: status == .ok ? MetricsExporter.contentType : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
