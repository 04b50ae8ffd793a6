import Engine
import Testing

/// `renew_fraction` is the documented name of the renewal point; the older `refresh_fraction` is still read, with a
/// deprecation warning in the provider's settings.
@Suite("GenericOAuth: renew_fraction and the deprecated refresh_fraction")
struct RenewFractionTests {
    @Test("renew_fraction sets the renewal point, without a warning")
    func renewFraction() throws {
        let provider = try LoginFixture().provider(["renew_fraction: 0.7"])
        #expect(provider.profile.traits.renewFraction == 0.7)
        #expect(!provider.profile.settings.contains { $0.key == "warning" })
    }

    @Test("refresh_fraction is read, with a deprecation warning naming the file and line")
    func refreshFraction() throws {
        let fixture = try LoginFixture()
        let loaded = try fixture.load(["token_url: \(fixture.server.url("/token").absoluteString)", "refresh_fraction: 0.7"])
        let provider = try #require(loaded.provider, "\(loaded.errors)")
        #expect(provider.profile.traits.renewFraction == 0.7)
        let warning = try #require(provider.profile.settings.first { $0.key == "warning" }?.value)
        #expect(warning.contains("\(loaded.path):4") && warning.contains("refresh_fraction") && warning.contains("renew_fraction"), "\(warning)")
    }

    @Test("both names at once is an error naming the line")
    func both() throws {
        let fixture = try LoginFixture()
        let loaded = try fixture.load(["token_url: \(fixture.server.url("/token").absoluteString)", "renew_fraction: 0.7", "refresh_fraction: 0.6"])
        #expect(loaded.provider == nil)
        let error = try #require(loaded.errors.first { $0.key == "refresh_fraction" }, "\(loaded.errors)")
        #expect(error.file == loaded.path && error.line == 5)
        #expect(error.description.contains(":5: key 'refresh_fraction'"), "\(error)")
    }
}
