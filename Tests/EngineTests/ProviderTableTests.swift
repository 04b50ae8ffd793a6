import Foundation
import Testing
@testable import Engine

@Suite("The provider table")
struct ProviderTableTests {
    @Test("Every .yaml and .yml fragment loads; other files and dot-files are ignored; names default to the file stem")
    func loadsFragments() throws {
        let providers = try ProvidersDirectory()
        try providers.write("20-box.yaml", "name: box\nkind: echo\n")
        try providers.write("scitokens.yml", "kind: other-kind\n")
        try providers.write("README.txt", "kind: echo\nname: readme\n")
        try providers.write(".hidden.yaml", "kind: echo\nname: hidden\n")
        try providers.write("box.yaml~", "kind: echo\nname: backup\n")
        let result = providers.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.failedFiles.isEmpty)
        #expect(result.table.names == ["box", "scitokens"])
        #expect(result.table.provider(for: "box")?.profile.kind == "echo")
        #expect(result.table.provider(for: "scitokens")?.profile.kind == "other-kind")
        #expect(result.table.provider(for: "readme") == nil)
        #expect(result.table.entries["box"]?.file == providers.path + "/20-box.yaml")
    }

    @Test("'*' serves every service no entry serves, except the exclusions; only a kind that says so may be '*'")
    func wildcard() throws {
        let providers = try ProvidersDirectory()
        try providers.write("box.yaml", "kind: echo\n")
        try providers.write("vault.yaml", "name: \"*\"\nkind: catch-all\n")
        let loaded = providers.load(kinds: [EchoKind.self, OtherKind.self, CatchAllKind.self])
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        var table = loaded.table
        #expect(table.provider(for: "box")?.profile.kind == "echo", "an entry of its own wins")
        #expect(table.provider(for: "igwn")?.profile.kind == "catch-all")
        table.wildcardExclusions = ["scitokens", "dropbox"]
        #expect(table.provider(for: "scitokens") == nil)
        #expect(table.provider(for: "Dropbox") == nil, "exclusions from HTCondor's knobs are case-insensitive")
        #expect(table.provider(for: "igwn")?.profile.kind == "catch-all")

        let refused = try ProvidersDirectory()
        let file = try refused.write("star.yaml", "name: \"*\"\nkind: echo\n")
        let result = refused.load(kinds: [EchoKind.self, CatchAllKind.self])
        #expect(result.table.names.isEmpty)
        let error = try #require(result.errors(in: file).first)
        #expect(error.key == "name" && error.description.contains("cannot serve every service"), "\(error)")
        #expect(error.description.contains("catch-all"), "names the kinds that may: \(error)")
    }

    @Test("A service configured twice: the later file (lexical order) is refused and the message names the first")
    func duplicateServiceName() throws {
        let providers = try ProvidersDirectory()
        let first = try providers.write("10-first.yaml", "name: shared\nkind: echo\nlifetime: 300\n")
        let second = try providers.write("20-second.yaml", "kind: other-kind\nname: shared\n")
        try providers.write("30-good.yaml", "kind: echo\n")
        let result = providers.load()
        #expect(result.table.names == ["30-good", "shared"])
        #expect(result.table.provider(for: "shared")?.profile.kind == "echo", "the first file wins")
        #expect(result.failedFiles == [second])
        let error = try #require(result.errors(in: second).first)
        #expect(result.errors.count == 1)
        #expect(error.key == "name")
        #expect(error.line == 2)
        #expect(error.description.hasPrefix(second + ":2: "), "\(error.description)")
        #expect(error.description.contains(first), "names the first file: \(error.description)")
    }

    @Test("A missing providers directory is one error naming it")
    func missingDirectory() throws {
        let root = try TemporaryDirectory()
        let missing = root.file("nope.d")
        let result = ProviderTable.load(directory: missing, catalog: try KindCatalog([EchoKind.self]), context: ProviderBuildContext(
            keyDirectory: root.path, hostName: "h.example", createMissingKeys: false, logger: quietLogger))
        #expect(result.table.names.isEmpty)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.description.hasPrefix(missing) == true)
    }

    @Test("Several bad fragments each report their own errors; a fragment can report several at once")
    func severalErrors() throws {
        let providers = try ProvidersDirectory()
        let a = try providers.write("a.yaml", "kind: echo\nlifetime: 1\nenabled: \"no\"\nmode: medium\n")
        let b = try providers.write("b.yaml", "kind: missing-kind\n")
        let result = providers.load()
        #expect(result.table.names.isEmpty)
        #expect(result.failedFiles == [a, b])
        #expect(Set(result.errors(in: a).compactMap(\.key)) == ["lifetime", "enabled", "mode"])
        #expect(result.errors(in: b).map(\.key) == ["kind"])
    }

    @Test("After a reload, a provider whose file now fails is kept; others follow the new table")
    func keepingPrevious() throws {
        let providers = try ProvidersDirectory()
        try providers.write("alpha.yaml", "kind: echo\nlifetime: 300\n")
        let betaPath = try providers.write("beta.yaml", "kind: echo\nlifetime: 600\n")
        try providers.write("gamma.yaml", "kind: echo\n")
        let before = providers.load()
        #expect(before.table.names == ["alpha", "beta", "gamma"])
        let oldBeta = try #require(before.echo("beta"))

        // beta gets a typo, gamma is removed, alpha changes, delta is new.
        try providers.write("beta.yaml", "kind: echo\nlifetim: 900\n")
        try providers.remove("gamma.yaml")
        try providers.write("alpha.yaml", "kind: echo\nlifetime: 400\n")
        try providers.write("delta.yaml", "kind: echo\n")
        let after = providers.load()
        #expect(after.failedFiles == [betaPath])
        #expect(after.table.names == ["alpha", "delta"])

        let merged = after.table.keepingPrevious(before.table, forFailedFiles: after.failedFiles)
        #expect(merged.names == ["alpha", "beta", "delta"])
        let keptBeta = try #require(merged.provider(for: "beta") as? EchoProvider)
        #expect(keptBeta.profile.fingerprint == oldBeta.profile.fingerprint)
        #expect(keptBeta.setting("lifetime") == "600")
        #expect((merged.provider(for: "alpha") as? EchoProvider)?.setting("lifetime") == "400", "the new alpha is used")
        #expect(merged.provider(for: "gamma") == nil, "a removed fragment is not kept")
    }

    @Test("A failed file does not bring back a name that another file now configures")
    func keepingPreviousDoesNotOverride() throws {
        let providers = try ProvidersDirectory()
        try providers.write("a.yaml", "name: svc\nkind: echo\nlifetime: 300\n")
        let before = providers.load()
        try providers.write("a.yaml", "name: svc\nkind: echo\nbad_key: 1\n")
        try providers.write("b.yaml", "name: svc\nkind: echo\nlifetime: 900\n")
        let after = providers.load()
        let merged = after.table.keepingPrevious(before.table, forFailedFiles: after.failedFiles)
        #expect((merged.provider(for: "svc") as? EchoProvider)?.setting("lifetime") == "900")
    }
}
