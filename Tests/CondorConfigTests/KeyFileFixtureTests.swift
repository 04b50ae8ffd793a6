import Engine
import CredmonTestKit
import CredmonWeb
import Foundation
import Testing

/// The key-file generator the web-app tests use: condor_credd's key file (contract §B.3.4) written with HTCondor's own
/// ClassAd library, and credmon-web's parser (`CondorKeyFile.parse`) reading it.
@Suite("condor_credd key-file fixture", .serialized)
struct KeyFileFixtureTests {
    @Test("the generator writes credd's file: 64-hex name, mode 0640, one ad per request, the knobs' values; the committed sample matches")
    func generatorMatchesCredd() throws {
        let directory = try TemporaryDirectory()
        let box = try CondorFixtures.secretFile(in: directory, "box"), gdrive = try CondorFixtures.secretFile(in: directory, "gdrive")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("_CONDOR_") }
        environment["CONDOR_CONFIG"] = CondorFixtures.configFile("htcondor-example")
        environment["_CONDOR_BOX_CLIENT_SECRET_FILE"] = box
        environment["_CONDOR_GDRIVE_CLIENT_SECRET_FILE"] = gdrive
        environment["_CONDOR_CREDMON_WEB_PREFIX"] = "https://ap.example.org/credmon"
        try FileManager.default.createDirectory(atPath: directory.file("cred"), withIntermediateDirectories: true)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CondorFixtures.keyFileGenerator)
        process.arguments = ["--dir", directory.file("cred"), "--user", "alice",
                             "--request", "box*work:read:/a write:/b:https://aud.example.org", "--request", "gdrive"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let path = printed.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = (path as NSString).lastPathComponent
        #expect(name.count == 64 && name.allSatisfy { "0123456789abcdef".contains($0) })
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ads = text.components(separatedBy: "\n\n")
        #expect(ads.count == 2)
        #expect(ads[0].contains(#"Provider = "box""#) && ads[0].contains(#"Handle = "work""#))
        #expect(ads[0].contains(#"Scopes = "read:/a write:/b""#) && ads[0].contains(#"Audience = "https://aud.example.org""#))
        #expect(ads[0].contains(#"ClientSecret = "s3cret-box""#))  // up to the first control byte
        #expect(ads[0].contains(#"ReturnUrl = "https://ap.example.org/credmon/return/box""#))
        #expect(ads[1].contains(#"TokenUrl = "https://oauth2.googleapis.com/token""#))  // HTCondor's built-in default

        let samplePath = CondorFixtures.root + "/keyfiles/3f1a9c0e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468"
        let sample = try String(contentsOfFile: samplePath, encoding: .utf8)
        let normalized = text.replacingOccurrences(of: "s3cret-", with: "secret-")
        #expect(Set(sample.split(separator: "\n")) == Set(normalized.split(separator: "\n")))

        // credmon-web reads what HTCondor's ClassAd library wrote, and the committed sample.
        for (content, origin) in [(text, path), (sample, samplePath)] {
            let services = try CondorKeyFile.parse(content, path: origin)
            try #require(services.count == 2, "\(origin): \(services)")
            #expect(services[0].provider == "box" && services[0].handle == "work" && services[0].localUser == "alice")
            #expect(services[0].scopes == "read:/a write:/b" && services[0].audience == "https://aud.example.org")
            #expect(services[0].clientSecret?.hasSuffix("cret-box") == true)
            #expect(services[0].returnURL == "https://ap.example.org/credmon/return/box")
            #expect(services[1].provider == "gdrive" && services[1].handle == nil)
            #expect(services[1].tokenURL == "https://oauth2.googleapis.com/token")
        }
    }

    @Test("values with backslashes, quotes, tabs and non-ASCII, written by HTCondor's ClassAd library, parse back byte for byte")
    func trickyValuesRoundTrip() throws {
        let values = [#"se\cret"#, #"ends\"#, #"\"#, #"say "hi""#, #"\"quoted\""#, #"\n is not a newline"#, "tab\there",
                      "caf\u{e9} \u{2713}", #"a\\b"#, "\"", #"\""#, "read:/data, write:/data"]
        let script = """
            import json, sys, classad2
            values = json.loads(sys.stdin.read())
            ads = []
            for index, value in enumerate(values):
                ad = classad2.ClassAd()
                ad["Provider"] = "svc%d" % index
                ad["LocalUser"] = "alice"
                ad["ClientSecret"] = value
                ad["Scopes"] = value
                ads.append(ad.printOld())
            sys.stdout.write("\\n".join(ads))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: values))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "classad2 failed")
        let services = try CondorKeyFile.parse(text, path: "classad2 output")
        try #require(services.count == values.count, "\(text)")
        for (service, value) in zip(services, values) {
            #expect(service.clientSecret == value, "\(service.provider), from printOld's:\n\(text)")
            #expect(service.scopes == value)
        }
    }
}
