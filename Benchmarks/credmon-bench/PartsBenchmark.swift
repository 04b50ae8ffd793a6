import CredmonHost
import Engine
import Foundation
import Glibc
import LocalSciToken
import Logging
import Signers

/// Per-operation costs of the pieces a first pass is made of (single thread).
enum PartsBenchmark {
    static func anonymousKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return 0
    }

    static func measure(_ label: String, count: Int, _ body: (Int) throws -> Void) rethrows {
        let start = ContinuousClock.now
        for index in 0..<count { try body(index) }
        let elapsed = ContinuousClock.now - start
        let micro = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(count)
        print(String(format: "%-40@ %8.2f µs/op", label, micro))
    }

    static func sampleRecord(_ index: Int) -> CredentialRecord {
        var record = CredentialRecord(id: CredentialID(user: "user\(index)", token: TokenName(service: "scitokens")))
        record.provider = "scitokens"
        record.fingerprint = "abcdef0123456789"
        record.validity = TokenValidity(issuedAt: Date(), expiresAt: Date())
        return record
    }

    static func run() async throws {
        print("MemoryLayout: CredentialRecord \(MemoryLayout<CredentialRecord>.stride) B, CredentialID \(MemoryLayout<CredentialID>.stride) B, FileStamp \(MemoryLayout<FileStamp>.stride) B")
        let before = anonymousKiB()
        var dictionary: [CredentialID: CredentialRecord] = [:]
        for index in 0..<10_000 { let record = sampleRecord(index); dictionary[record.id] = record }
        let afterDictionary = anonymousKiB()
        print("10,000 records in a dictionary: \(afterDictionary - before) KiB anonymous")
        var reserved = RecordStore()
        reserved.reserveCapacity(10_000)  // as a first pass does
        for index in 0..<10_000 { let record = sampleRecord(index); reserved[record.id] = record }
        let afterReserved = anonymousKiB()
        print("10,000 records in a RecordStore reserved for them: \(afterReserved - afterDictionary) KiB anonymous")
        var grown = RecordStore()
        for index in 0..<10_000 { let record = sampleRecord(index); grown[record.id] = record }
        print("10,000 records in a RecordStore grown one by one: \(anonymousKiB() - afterReserved) KiB anonymous (with the heap's freed steps)")
        withExtendedLifetime((dictionary, reserved, grown)) {}
        let base = "/dev/shm/credmon-parts-\(getpid())"
        try FileManager.default.createDirectory(atPath: base + "/keys", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: base + "/keys/k.pem", publicKeyPath: base + "/keys/k.pub")
        let key = try SigningKey.load(privateKeyFile: base + "/keys/k.pem", keyID: "local", algorithm: .es256)
        try FileManager.default.createDirectory(atPath: base + "/p", withIntermediateDirectories: true)
        try "name: scitokens\nkind: local-scitoken\nissuer: https://b.example\naudience: [\"https://storage.example.org\"]\nprivate_key: \(base)/keys/k.pem\n"
            .write(toFile: base + "/p/s.yaml", atomically: true, encoding: .utf8)
        let context = ProviderBuildContext(keyDirectory: base + "/keys", hostName: "b.example", createMissingKeys: false, logger: Logger(label: "bench"))
        let loaded = ProviderTable.load(directory: base + "/p", catalog: try! KindCatalog([LocalSciTokenKind.self]), context: context)
        guard let provider = loaded.table.provider(for: "scitokens") as? LocalSciTokenProvider else { print(loaded.errors); return }
        let payload = Data(#"{"sub":"alice","scope":"read:/user/alice"}"#.utf8)
        let count = 20_000
        try measure("ES256 signCompact", count: count) { _ in _ = try key.signCompact(payload: payload) }
        try measure("LocalSciToken mint (claims+sign+render)", count: count) { index in _ = try provider.mint(for: "user\(index)", now: Date()) }
        measure("UUID().uuidString", count: count) { _ in _ = UUID().uuidString.lowercased() }
        try FileManager.default.createDirectory(atPath: base + "/cred/u", withIntermediateDirectories: true)
        let directory = try DirectoryHandle.open(path: base + "/cred/u")
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 400)
        try measure("AtomicWriter.write (tmpfs, no fsync)", count: count) { index in
            try AtomicWriter.write(bytes, to: "f\(index % 100).use", in: directory, durability: .atomic)
        }
        let diskBase = "/var/tmp/credmon-parts-\(getpid())"
        try FileManager.default.createDirectory(atPath: diskBase, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: diskBase) }
        let disk = try DirectoryHandle.open(path: diskBase)
        try measure("AtomicWriter.write /var/tmp, atomic", count: 2000) { index in
            try AtomicWriter.write(bytes, to: "f\(index % 100).use", in: disk, durability: .atomic)
        }
        try measure("AtomicWriter.write /var/tmp, durable", count: 300) { index in
            try AtomicWriter.write(bytes, to: "f\(index % 100).use", in: disk, durability: .durable)
        }
        try measure("DirectoryHandle.open + 2 fstatat", count: count) { index in
            let handle = try DirectoryHandle.open(path: base + "/cred/u")
            _ = try FileStatus.at(handle.descriptor, "f\(index % 100).use", path: "")
            _ = try FileStatus.at(handle.descriptor, "missing.top", path: "")
        }
        // A regular file on tmpfs: the log destination refuses a device such as /dev/null.
        let destination = try LogDestination(path: base + "/bench.log", alsoStderr: false)
        var logger = Logger(label: "bench") { label in LineLogHandler(label: label, destination: destination, level: .info) }
        logger[metadataKey: "credmon.user"] = "alice"
        measure("log line (4 metadata keys, tmpfs file)", count: count) { index in
            logger.info("Issued access token", metadata: ["credmon.provider": "scitokens", "credmon.expires": "\(index)", "credmon.token": "scitokens"])
        }
    }
}
