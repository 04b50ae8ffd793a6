import Engine
import FoundationEssentials

/// The settings of a `kind: vault` fragment, defaults applied (HTCondor's, contract §C.4, §E.6).
struct VaultConfiguration: Sendable {
    var name: String
    /// `minimum_seconds` sent to Vault: the least lifetime a returned access token has (`CREDMON_OAUTH_TOKEN_MINIMUM`).
    var minimumSeconds: Int
    /// The longest time a `.use` is kept before it is fetched again (`CREDMON_OAUTH_TOKEN_REFRESH`, default half the
    /// minimum).
    var refreshInterval: Int
    /// Ports a `vault_url` may name; nil: any (HTCondor: an explicit 8200).
    var allowedPorts: Set<Int>?
    /// Hosts a `vault_url` may name; nil: any (`TRUSTED_VAULT_HOSTS`).
    var trustedHosts: Set<String>?
    var trust: VaultTrust
    var maxConcurrent: Int
    /// The deadline of one request to Vault (HTCondor: connect 2 s + read 10 s).
    var timeout: Int

    static let defaultMinimum = 2400
    static let defaultCADirectory = "/etc/grid-security/certificates"

    /// The provider that serves every otherwise unclaimed service.
    var isWildcard: Bool { name == ProviderTable.wildcard }

    static func read(name: String, fragment: inout FragmentReader) -> VaultConfiguration {
        let minimum = fragment.integer("minimum_seconds", in: 60...31_536_000, unit: "seconds") ?? defaultMinimum
        let refresh = fragment.integer("refresh_interval", in: 30...31_536_000, unit: "seconds") ?? max(30, minimum / 2)
        var ports: Set<Int>? = [8200]
        if let listed = fragment.stringList("allowed_ports") {
            if listed == ["any"] {
                ports = nil
            } else {
                let numbers = listed.compactMap { Int($0) }.filter { (1...65535).contains($0) }
                if numbers.count != listed.count || numbers.isEmpty {
                    fragment.fail("allowed_ports", "expected port numbers (1-65535) or [any]", fix: "write e.g. allowed_ports: [8200]")
                } else {
                    ports = Set(numbers)
                }
            }
        }
        let hosts = fragment.stringList("trusted_hosts").map { Set($0.map { $0.lowercased() }) }
        let caFile = fragment.string("ca_file")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            fragment.fail("ca_file", "cannot read '\(caFile)'", fix: "name a readable PEM file of CA certificates, or remove the key to use the system's")
        }
        var caDirectory = fragment.string("ca_directory")
        if let directory = caDirectory {
            var isDirectory = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory {
                fragment.fail("ca_directory", "'\(directory)' is not a directory", fix: "name a directory of PEM CA certificates, or remove the key")
            }
        } else if FileManager.default.fileExists(atPath: defaultCADirectory) {
            caDirectory = defaultCADirectory
        }
        let maxConcurrent = fragment.integer("max_concurrent", in: 1...256) ?? 16
        let timeout = fragment.integer("timeout", in: 1...300, unit: "seconds") ?? 12
        return VaultConfiguration(name: name, minimumSeconds: minimum, refreshInterval: refresh, allowedPorts: ports,
                                  trustedHosts: hosts, trust: VaultTrust(caFile: caFile, caDirectory: caDirectory),
                                  maxConcurrent: maxConcurrent, timeout: timeout)
    }

    /// For `credmon check` (no secrets here).
    var settings: [ProviderProfile.Setting] {
        [
            .init("minimum_seconds", String(minimumSeconds)),
            .init("refresh_interval", "\(refreshInterval)s"),
            .init("allowed_ports", allowedPorts.map { $0.sorted().map(String.init).joined(separator: ", ") } ?? "any"),
            .init("trusted_hosts", trustedHosts.map { $0.sorted().joined(separator: ", ") } ?? "any"),
            .init("ca_file", trust.caFile ?? "system trust store"),
            .init("ca_directory", trust.caDirectory ?? "none"),
            .init("timeout", "\(timeout)s"),
        ]
    }
}

/// The TLS trust for Vault connections: `AUTH_SSL_CLIENT_CAFILE` (instead of the system's) and
/// `AUTH_SSL_CLIENT_CADIR` (in addition).
struct VaultTrust: Sendable, Hashable {
    var caFile: String?
    var caDirectory: String?
}
