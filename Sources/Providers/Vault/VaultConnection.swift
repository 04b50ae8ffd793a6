import Engine
import FoundationEssentials
import Glibc

/// How Credmon reaches a Vault server (contract §C.4.3 step 4): with the configured CA file and directory, IPv4
/// addresses first (IPv6 only when the host has none), falling through to the next address when one cannot be
/// connected to within 2 s, and resolving the host again every 5 minutes. A client that cannot derive connections
/// with their own settings (the tests' URLSession client) is used as it is.
actor VaultConnection {
    private let http: any HTTPClient
    private let trust: VaultTrust
    private let resolver: @Sendable (String) async -> [String]
    private var resolved: [String: (addresses: [String], at: ContinuousClock.Instant)] = [:]

    static let connectTimeout: Duration = .seconds(2)
    static let resolveAgainAfter: Duration = .seconds(300)
    static let resolveDeadline: Duration = .seconds(10)

    /// - Parameter resolver: a host's addresses in the order to try them (default: ``resolve(_:)``).
    init(http: any HTTPClient, trust: VaultTrust, resolver: @escaping @Sendable (String) async -> [String] = { await VaultConnection.resolve($0) }) {
        self.http = http
        self.trust = trust
        self.resolver = resolver
    }

    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        guard let deriving = http as? any HTTPClientDeriving, let host = request.url.host, !host.isEmpty else {
            return try await http.send(request)
        }
        let literal = Self.isAddressLiteral(host)
        let candidates = literal ? [host] : await addresses(of: host)
        var lastError = HTTPTransportError(kind: .connect, url: Self.target(request.url), message: "cannot resolve \(host)")
        for address in candidates {
            let options = HTTPConnectionOptions(caFile: trust.caFile, caDirectory: trust.caDirectory,
                                                addressOverride: literal ? [:] : [host: address], connectTimeout: Self.connectTimeout)
            let client = try deriving.derived(options)
            switch await Self.attempt(client, request) {
            case .success(let response):
                return response
            case .failure(let error) where error.kind == .connect:
                lastError = error
                if !literal { forget(address, of: host) }
            case .failure(let error):
                throw error
            }
        }
        throw lastError
    }

    private static func attempt(_ client: any HTTPClient, _ request: HTTPRequest) async -> Result<HTTPResponse, HTTPTransportError> {
        do {
            return .success(try await client.send(request))
        } catch {
            return .failure(error)
        }
    }

    /// The host's addresses in the order they are tried, resolved at most every 5 minutes.
    private func addresses(of host: String) async -> [String] {
        let now = ContinuousClock.now
        if let known = resolved[host], now - known.at < Self.resolveAgainAfter, !known.addresses.isEmpty { return known.addresses }
        let found = await resolver(host)
        resolved[host] = (found, now)
        return found
    }

    /// An address that could not be connected to is not tried again until the host is resolved again.
    private func forget(_ address: String, of host: String) {
        guard var known = resolved[host] else { return }
        known.addresses.removeAll { $0 == address }
        resolved[host] = known
    }

    /// `getaddrinfo` off the cooperative pool, with a deadline: IPv4 addresses, or IPv6 ones when there is no IPv4.
    static func resolve(_ host: String) async -> [String] {
        await withTaskGroup(of: [String]?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    PosixThread.detach { continuation.resume(returning: lookUp(host)) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: resolveDeadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    static func lookUp(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var v4: [String] = []
        var v6: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let node = cursor {
            var buffer = [CChar](repeating: 0, count: 1025)
            if getnameinfo(node.pointee.ai_addr, node.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if node.pointee.ai_family == AF_INET, !v4.contains(text) { v4.append(text) }
                if node.pointee.ai_family == AF_INET6, !v6.contains(text) { v6.append(text) }
            }
            cursor = node.pointee.ai_next
        }
        return v4.isEmpty ? v6 : v4
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    static func target(_ url: URL) -> String {
        VaultURLPolicy.withoutQuery(url.absoluteString)
    }
}
