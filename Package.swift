// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The daemons' release link on Linux. lld with packed relative relocations (DT_RELR): the 90,000 relocations of a
/// position-independent static-stdlib binary take 18 KiB instead of 2 MiB that the loader reads at every start. No
/// exported symbol table: the static Swift runtime's link arguments add `-export-dynamic`, but nothing looks the
/// daemon's own symbols up (backtraces read the file's symbol table), and without it `--gc-sections` drops ~400 KiB
/// more code. The C++ runtime is linked from its archive (Sources/Host/credmon/static-libstdc++ says how): no
/// libstdc++.so to load at start or keep resident. Measured in Benchmarks/results (start-up and RSS with no credentials).
let compactReleaseLink: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
                  "-L", "\(Context.packageDirectory)/Sources/Host/credmon/static-libstdc++"],
                 .when(platforms: [.linux], configuration: .release)),
]

/// credmon's release link also lays out first the functions the daemon runs (Sources/Host/credmon/hot-functions.order,
/// made by scripts/hot-functions), so that the kernel's 64 KiB fault-around maps less code it never runs. It orders
/// functions one by one only in objects compiled with a section per function, as scripts/build-release compiles them
/// (a plain `swift build` orders whole files). A name a later build no longer has only loses its place. SwiftPM does
/// not see the file: a changed order takes effect at the next relink (remove the release binary to force one).
/// Functions with no symbol (private linkage: closure contexts' destroyers, outlined code) cannot be named in the order
/// file; Sources/Host/credmon/local-functions.ld gathers them all (about 175 KiB) just before the ordered ones.
let hotFunctionsFirst: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/Host/credmon/hot-functions.order",
                  "-Xlinker", "--no-warn-symbol-ordering",
                  "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Sources/Host/credmon/local-functions.ld"],
                 .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "credmon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "credmon", targets: ["credmon"]),
        .executable(name: "credmon-web", targets: ["credmon-web"]),
    ],
    dependencies: [
        // Up to the next minor only: CP256Signing calls BoringSSL functions inside Crypto (its checks catch a change).
        .package(url: "https://github.com/apple/swift-crypto.git", .upToNextMinor(from: "4.5.2")),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already in the build through async-http-client; named for the TLS trust and the connection errors the HTTP
        // client derives Vault connections with (NIOSSL, NIOPosix, NIOConcurrencyHelpers).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Metrics (issue 12): the engine counts and times through swift-metrics' API only; the daemon exports them in
        // Prometheus' text format with swift-prometheus, bootstrapped only when metrics are on.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System calls Swift's Glibc module does not declare (getdents64, getrandom), for the engine's directory listing.
        .target(name: "CSystemCalls", path: "Sources/CSystemCalls"),
        // ES256 signing with its per-signature values computed in batches, on swift-crypto's BoringSSL (Signers).
        .target(
            name: "CP256Signing",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/CP256Signing"
        ),
        // libyaml (Debian: libyaml-dev), under Engine's YAML reader; linked statically (Engine's linker setting).
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", providers: [.apt(["libyaml-dev"])]),
        // The core: the credential-directory contract, the provider protocol and table, the monitor.
        // No network, no crypto.
        .target(
            name: "Engine",
            dependencies: [
                "CSystemCalls",
                "CYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings,
            // The archive, not libyaml.so: the release binary needs no libyaml on the machines it runs on.
            linkerSettings: [.linkedLibrary(":libyaml.a")]
        ),
        // Keys, JWS signing (ES256, RS256), JWKS and openid-configuration documents.
        .target(
            name: "Signers",
            dependencies: [
                "CP256Signing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // `kind: local-scitoken`: SciTokens / WLCG tokens signed with a local key.
        .target(
            name: "LocalSciToken",
            dependencies: ["Engine", "Signers"],
            path: "Sources/Providers/LocalSciToken",
            swiftSettings: strictSettings
        ),
        // The OAuth 2.0 client the OAuth providers share: token requests, revocation, discovery, over one HTTP seam.
        .target(
            name: "OAuthClient",
            dependencies: [
                "Engine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Providers/OAuthClient",
            swiftSettings: strictSettings
        ),
        // `kind: oauth2`: refresh (and revoke) tokens of any RFC 6749 server; the base of the provider presets.
        .target(
            name: "GenericOAuth",
            dependencies: ["Engine", "OAuthClient"],
            path: "Sources/Providers/GenericOAuth",
            swiftSettings: strictSettings
        ),
        // `kind: cilogon`: a preset of the generic OAuth provider.
        .target(name: "CILogon", dependencies: ["Engine", "GenericOAuth"], path: "Sources/Providers/CILogon", swiftSettings: strictSettings),
        // `kind: box`: a preset of the generic OAuth provider.
        .target(name: "Box", dependencies: ["Engine", "GenericOAuth"], path: "Sources/Providers/Box", swiftSettings: strictSettings),
        // `kind: gdrive`: a preset of the generic OAuth provider.
        .target(name: "GoogleDrive", dependencies: ["Engine", "GenericOAuth"], path: "Sources/Providers/GoogleDrive", swiftSettings: strictSettings),
        // `kind: onedrive`: a preset of the generic OAuth provider.
        .target(name: "OneDrive", dependencies: ["Engine", "GenericOAuth"], path: "Sources/Providers/OneDrive", swiftSettings: strictSettings),
        // `kind: dropbox`: a preset of the generic OAuth provider.
        .target(name: "Dropbox", dependencies: ["Engine", "GenericOAuth"], path: "Sources/Providers/Dropbox", swiftSettings: strictSettings),
        // `kind: client-credentials`: one token per user from an OAuth 2.0 client-credentials grant (HTCondor's CLIENT_CREDMON).
        .target(name: "ClientCredentials", dependencies: ["Engine", "OAuthClient", "LocalSciToken"], path: "Sources/Providers/ClientCredentials", swiftSettings: strictSettings),
        // `kind: token-exchange`: RFC 8693 exchange of a storer's subject token, then refresh (HTCondor's Pelican credmon).
        .target(name: "TokenExchange", dependencies: ["Engine", "OAuthClient", .product(name: "Logging", package: "swift-log")], path: "Sources/Providers/TokenExchange", swiftSettings: strictSettings),
        // `kind: vault`: access tokens from a Vault/OpenBao server (htgettoken / htvault-config).
        .target(name: "Vault", dependencies: ["Engine", .product(name: "Logging", package: "swift-log")], path: "Sources/Providers/Vault", swiftSettings: strictSettings),
        // The provider kinds of this build: one line per kind (docs/PROVIDERS.md). Everything else iterates it.
        .target(
            name: "ProviderCatalog",
            dependencies: ["Engine", "LocalSciToken", "GenericOAuth", "CILogon", "Box", "GoogleDrive", "OneDrive", "Dropbox", "Vault", "ClientCredentials", "TokenExchange"],
            path: "Sources/Providers/Catalog",
            swiftSettings: strictSettings
        ),
        // HTCondor's configuration through condor_config_val: knobs, booleans, credd's routing, knob-built providers.
        .target(
            name: "CondorConfig",
            dependencies: ["Engine"],
            path: "Sources/Host/CondorConfig",
            swiftSettings: strictSettings
        ),
        // The `credmon` command line: the daemon and the admin tools (testable library).
        .target(
            name: "CredmonHost",
            dependencies: [
                "Engine", "CondorConfig", "Signers", "OAuthClient", "ProviderCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // The metrics endpoint and the textfile: the registry, and a small HTTP/1 server on the NIO the HTTP
                // client already links (no web framework in the daemon).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Host/CredmonHost",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "credmon",
            dependencies: ["CredmonHost"],
            path: "Sources/Host/credmon",
            exclude: ["hot-functions.order", "local-functions.ld", "static-libstdc++"],
            swiftSettings: strictSettings,
            linkerSettings: compactReleaseLink + hotFunctionsFirst
        ),
        // The OAuth login web app (HTCondor's CREDMON_WEB_PREFIX pages) and the local issuers' public documents.
        .target(
            name: "CredmonWeb",
            dependencies: [
                "Engine", "Signers", "OAuthClient", "ProviderCatalog", "CredmonHost", "CondorConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Host/CredmonWeb",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "credmon-web",
            dependencies: ["CredmonWeb"],
            path: "Sources/Host/credmon-web",
            swiftSettings: strictSettings,
            linkerSettings: compactReleaseLink
        ),
        .executableTarget(
            name: "credmon-bench",
            dependencies: ["Engine", "Signers", "LocalSciToken", "CredmonHost", "OAuthTestServer"],
            path: "Benchmarks/credmon-bench",
            swiftSettings: strictSettings
        ),
        // A standards-conformant OAuth 2.0 authorization server on loopback, for the OAuth tests (no NIO: POSIX sockets).
        .target(name: "OAuthTestServer", path: "Tests/OAuthTestServer", swiftSettings: strictSettings),
        .testTarget(name: "OAuthTestServerTests", dependencies: ["OAuthTestServer", "CredmonTestKit"], swiftSettings: strictSettings),
        // The test kit: temporary directories, `eventually`, a manual clock, a scripted provider, a URLSession HTTP client.
        .target(name: "CredmonTestKit", dependencies: ["Engine"], path: "Tests/TestKit", swiftSettings: strictSettings),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CredmonTestKit"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "SignersTests",
            dependencies: [
                "Signers",
                "CredmonTestKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LocalSciTokenTests",
            dependencies: ["LocalSciToken", "Engine", "Signers", "CredmonTestKit"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "Engine", .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .testTarget(name: "OAuthClientTests", dependencies: ["OAuthClient", "Engine"], swiftSettings: strictSettings),
        .testTarget(name: "ClientCredentialsTests", dependencies: ["ClientCredentials", "OAuthClient", "Engine", "OAuthTestServer", "CredmonTestKit", .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .testTarget(name: "TokenExchangeTests", dependencies: ["TokenExchange", "OAuthClient", "Engine", "OAuthTestServer", "CredmonTestKit", .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .testTarget(
            name: "GenericOAuthTests",
            dependencies: [
                "GenericOAuth", "OAuthClient", "Engine", "OAuthTestServer", "CredmonTestKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Every kind of ProviderCatalog through the same checks (docs/PROVIDERS.md, "The conformance suite").
        .testTarget(
            name: "ProviderConformanceTests",
            dependencies: [
                "ProviderCatalog", "Engine", "OAuthClient", "GenericOAuth", "LocalSciToken", "CILogon", "Box", "GoogleDrive", "OneDrive", "Dropbox", "Vault", "ClientCredentials", "TokenExchange",
                "OAuthTestServer", "CredmonTestKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CondorConfigTests",
            dependencies: ["CondorConfig", "CredmonHost", "CredmonWeb", "Engine", "CredmonTestKit"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CredmonHostTests",
            dependencies: ["CredmonHost", "CondorConfig", "Engine", "ProviderCatalog", "CredmonTestKit"],
            swiftSettings: strictSettings
        ),
        // Runs the real credmon binary under a test condor_config_val built on PyPI's htcondor (HTCondor's parser).
        .testTarget(
            name: "CondorEndToEndTests",
            dependencies: ["credmon", "Engine", "CredmonTestKit", "OAuthTestServer"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["credmon", "Engine", "OAuthTestServer", "CredmonTestKit"],
            exclude: ["Verifiers", "Support/openbao"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CredmonWebTests",
            dependencies: [
                "CredmonWeb", "CondorConfig", "Engine", "Signers", "OAuthClient", "OAuthTestServer", "CredmonTestKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebEndToEndTests",
            dependencies: ["credmon", "credmon-web", "Engine", "OAuthTestServer", "CredmonTestKit"],
            exclude: ["Browser"],
            swiftSettings: strictSettings
        ),
        // The fuzz corpora (Fuzz/corpus: seeds and crash inputs) replayed through the harnesses the libFuzzer targets
        // call; scripts/fuzz builds those, instrumented, outside this build.
        .testTarget(
            name: "FuzzReplayTests",
            dependencies: [
                "Engine", "Signers", "OAuthClient", "CredmonHost", "CredmonWeb", "Vault",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz",
            exclude: ["Entry", "corpus", "README.md", "RESULTS.md"],
            sources: ["Harness", "Replay"],
            swiftSettings: strictSettings
        ),
    ]
)
