import AsyncHTTPClient
import Engine
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOConcurrencyHelpers
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// ``HTTPClient`` on AsyncHTTPClient (SwiftNIO, TLS through BoringSSL with the system's trust store): a connection
/// pool per host, no redirects followed (a redirected token request would carry its secrets elsewhere), no cookies,
/// and a hard deadline per exchange. The daemon's choice: one event loop serves every request, where URLSession hops
/// each one through several dispatch queues (the OAuth benchmark's CPU per refresh).
///
/// The connection pool (and with it SwiftNIO's event-loop threads) is made on the first request: a daemon whose
/// providers are all local issuers never starts a thread or maps a page of the network stack for it.
public final class NIOHTTPClient: Engine.HTTPClientDeriving {
    private let pool: LazyConnectionPool
    /// Clients with other connection settings (``derived(_:)``), closed with this one.
    private let children = NIOLockedValueBox<[HTTPConnectionOptions: NIOHTTPClient]>([:])
    /// The largest response body accepted (token answers are a few KiB).
    public static let bodyLimit = 1 << 20

    /// - Parameter maxConnectionsPerHost: connections kept to one server.
    public convenience init(maxConnectionsPerHost: Int = 64) {
        self.init(pool: LazyConnectionPool {
            Self.makeClient(maxConnectionsPerHost: maxConnectionsPerHost, tls: nil, options: HTTPConnectionOptions())
        })
    }

    private init(pool: LazyConnectionPool) { self.pool = pool }

    private static func makeClient(maxConnectionsPerHost: Int, tls: TLSConfiguration?, options: HTTPConnectionOptions) -> AsyncHTTPClient.HTTPClient {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.httpVersion = .automatic
        configuration.tlsConfiguration = tls
        configuration.dnsOverride = options.addressOverride
        // A server that goes quiet mid-answer costs at most this long, whatever deadline the request has.
        configuration.timeout = .init(connect: .nanoseconds(nanoseconds(options.connectTimeout)), read: .seconds(30))
        return AsyncHTTPClient.HTTPClient(eventLoopGroup: AsyncHTTPClient.HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// A client with its own TLS trust (a CA file instead of the system's, plus a directory of CA certificates) and
    /// host addresses; the same options give the same client, and every one closes when this one does.
    public func derived(_ options: HTTPConnectionOptions) throws(HTTPTransportError) -> any Engine.HTTPClient {
        if let existing = children.withLockedValue({ $0[options] }) { return existing }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile = options.caFile {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            if let caDirectory = options.caDirectory {
                let certificates = Self.certificates(in: caDirectory)
                if !certificates.isEmpty { tls.additionalTrustRoots = [.certificates(certificates)] }
            }
        } catch {
            throw HTTPTransportError(kind: .invalidURL, url: options.caFile ?? "",
                                     message: "cannot read the CA file (\(SafeText.printable("\(error)", limit: 200)))")
        }
        let trust = tls
        let created = NIOHTTPClient(pool: LazyConnectionPool { Self.makeClient(maxConnectionsPerHost: 8, tls: trust, options: options) })
        return children.withLockedValue { table in
            if let raced = table[options] { return raced }
            table[options] = created
            return created
        }
    }

    /// The PEM certificates of a CA directory (`*.pem`, `*.crt` and OpenSSL's hashed `*.0` names); unreadable files
    /// are skipped, as OpenSSL skips them.
    static func certificates(in directory: String) -> [NIOSSLCertificate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var seen = Set<String>()
        var result: [NIOSSLCertificate] = []
        for name in names.sorted() where name.hasSuffix(".pem") || name.hasSuffix(".crt") || Self.hasNumberSuffix(name) {
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  (attributes[.size] as? Int ?? 0) < 1 << 20,
                  let certificates = try? NIOSSLCertificate.fromPEMFile(path) else { continue }
            for certificate in certificates {
                let key = (try? certificate.toDERBytes()).map { Data($0).base64EncodedString() } ?? UUID().uuidString
                if seen.insert(key).inserted { result.append(certificate) }
            }
        }
        return result
    }

    deinit { try? pool.madeClient?.syncShutdown() }

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let target = request.url.absoluteString.split(separator: "?").first.map(String.init) ?? ""
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(request.timeout))
        let deadline = NIODeadline.now() + timeout
        let client = pool.client
        let prepared = outgoing
        let result: Result<HTTPResponse, any Error> = await withTaskGroup(of: Result<HTTPResponse, any Error>?.self) { group in
            // One deadline over the whole exchange: AsyncHTTPClient's own stops at the response head, so a server
            // that sends its head and then stalls or drips its body is cut off here.
            group.addTask {
                do {
                    let response = try await client.execute(prepared, deadline: deadline)
                    let body = try await response.body.collect(upTo: Self.bodyLimit)
                    var headers: [String: String] = [:]
                    for (name, value) in response.headers {
                        let key = name.lowercased()
                        headers[key] = headers[key].map { $0 + ", " + value } ?? value
                    }
                    return .success(HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView)))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout.nanoseconds)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(HTTPClientError.deadlineExceeded)
        }
        switch result {
        case .success(let response):
            return response
        case .failure(let error as HTTPClientError):
            if error == .connectTimeout {
                throw HTTPTransportError(kind: .connect, url: target, message: "no connection within the connect timeout")
            }
            if [.deadlineExceeded, .readTimeout, .writeTimeout, .cancelled].contains(error) {
                throw HTTPTransportError(kind: .timeout, url: target, message: "no complete answer within \(request.timeout)")
            }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
                throw HTTPTransportError(kind: .invalidURL, url: target, message: "not a URL this client can reach (\(error))")
            }
            if error == .remoteConnectionClosed {
                throw HTTPTransportError(kind: .connection, url: target, message: "the server closed the connection before a complete answer")
            }
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(error))")
        case .failure(let error as NIOConnectionError):
            throw HTTPTransportError(kind: .connect, url: target, message: "cannot connect (\(SafeText.printable("\(error)", limit: 200)))")
        case .failure(let error as IOError) where [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode):
            throw HTTPTransportError(kind: .connect, url: target, message: "cannot connect (\(SafeText.printable("\(error)", limit: 200)))")
        case .failure(let error as NIOTooManyBytesError):
            _ = error
            throw HTTPTransportError(kind: .connection, url: target, message: "answer larger than \(Self.bodyLimit) bytes; refused")
        case .failure(let error):
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(SafeText.printable("\(error)", limit: 200)))")
        }
    }

    /// `duration` in nanoseconds, saturating (a fragment's timeout is at most minutes, but nothing here may trap).
    /// Whether `name` ends in `.` and ASCII digits (OpenSSL's hashed names, `\.[0-9]+$`).
    static func hasNumberSuffix(_ name: String) -> Bool {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let digits = name.utf8[name.utf8.index(after: dot)...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : Int64.max / 2 }
        return max(0, scaled + attoseconds / 1_000_000_000)
    }
}

extension NIOHTTPClient: Service {
    /// Runs until graceful shutdown, then closes the connection pool. List it before the services that send requests:
    /// a service group shuts services down in reverse order, so the client closes after the last request.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes this client and the ones derived from it.
    func shutdown() async throws {
        for child in children.withLockedValue({ table in defer { table = [:] }; return Array(table.values) }) {
            try? await child.shutdown()
        }
        try await pool.madeClient?.shutdown()
    }
}
