import Engine
import Foundation
import Synchronization
import Testing
@testable import Vault

@Suite("Vault: connections")
struct VaultConnectionTests {
    /// A client that derives one client per address and refuses to connect to the addresses in `unreachable`.
    final class Recorder: HTTPClientDeriving, Sendable {
        let unreachable: Set<String>
        let attempts = Mutex<[String]>([])
        let options = Mutex<[HTTPConnectionOptions]>([])
        init(unreachable: Set<String>) { self.unreachable = unreachable }

        func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
            throw HTTPTransportError(kind: .connection, url: "", message: "the parent client is never used for Vault")
        }

        func derived(_ options: HTTPConnectionOptions) throws(HTTPTransportError) -> any HTTPClient {
            self.options.withLock { $0.append(options) }
            return Attempt(address: options.addressOverride.values.first ?? "", recorder: self)
        }

        struct Attempt: HTTPClient {
            let address: String
            let recorder: Recorder
            func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
                recorder.attempts.withLock { $0.append(address) }
                if recorder.unreachable.contains(address) {
                    throw HTTPTransportError(kind: .connect, url: "", message: "no connection within the connect timeout")
                }
                return HTTPResponse(status: 200, headers: [:], body: Data(address.utf8))
            }
        }
    }

    static let request = HTTPRequest(method: "GET", url: URL(string: "https://vault.example.org:8200/v1/secret/x")!)

    @Test("an address that cannot be connected to falls through to the next, and is skipped until the host is resolved again")
    func fallThrough() async throws {
        let recorder = Recorder(unreachable: ["192.0.2.1"])
        let connection = VaultConnection(http: recorder, trust: VaultTrust(caFile: "/ca.pem", caDirectory: "/certs"),
                                         resolver: { _ in ["192.0.2.1", "192.0.2.2"] })
        let first = try await connection.send(Self.request)
        #expect(String(decoding: first.body, as: UTF8.self) == "192.0.2.2")
        _ = try await connection.send(Self.request)
        #expect(recorder.attempts.withLock { $0 } == ["192.0.2.1", "192.0.2.2", "192.0.2.2"])
        let options = try #require(recorder.options.withLock { $0.first })
        #expect(options.caFile == "/ca.pem" && options.caDirectory == "/certs", "the Vault trust goes with every connection")
        #expect(options.addressOverride == ["vault.example.org": "192.0.2.1"], "TLS still checks the host name")
        #expect(options.connectTimeout == .seconds(2), "HTCondor's connect timeout")
    }

    @Test("no address at all is a connect failure naming the host")
    func unresolvable() async {
        let connection = VaultConnection(http: Recorder(unreachable: []), trust: VaultTrust(), resolver: { _ in [] })
        await #expect(throws: HTTPTransportError.self) { _ = try await connection.send(Self.request) }
    }

    @Test("IPv4 first: a name with both families resolves to its IPv4 addresses only; literals are literals")
    func addressFamilies() {
        #expect(VaultConnection.lookUp("localhost").allSatisfy { $0.contains(".") && !$0.contains(":") })
        #expect(VaultConnection.lookUp("localhost").contains("127.0.0.1"))
        #expect(VaultConnection.isAddressLiteral("127.0.0.1") && VaultConnection.isAddressLiteral("[::1]"))
        #expect(!VaultConnection.isAddressLiteral("vault.example.org"))
    }
}
