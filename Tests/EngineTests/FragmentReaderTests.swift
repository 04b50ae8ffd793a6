import Foundation
import Testing
@testable import Engine

/// Fragments with one problem each, loaded next to a good fragment that must still load.
@Suite("Provider fragments: typed keys and located errors")
struct FragmentReaderTests {
    /// Loads `yaml` as `file` next to a good fragment; returns the single error about `file`.
    private func soleError(
        _ yaml: String, file: String = "bad.yaml",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ConfigurationError {
        let providers = try ProvidersDirectory()
        try providers.write("good.yaml", "kind: echo\nlifetime: 300\n")
        let path = try providers.write(file, yaml)
        let result = providers.load()
        #expect(result.table.names == ["good"], "the good fragment still loads", sourceLocation: sourceLocation)
        #expect(result.failedFiles == [path], sourceLocation: sourceLocation)
        let errors = result.errors(in: path)
        #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
        #expect(result.errors.count == errors.count, "only \(file) has errors: \(result.errors)", sourceLocation: sourceLocation)
        let error = try #require(errors.first, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(path + ":"), "names the file: \(error.description)", sourceLocation: sourceLocation)
        return error
    }

    /// Checks that `error` is located at `line` and about `key`, in its fields and its text.
    private func expectLocated(_ error: ConfigurationError, line: Int, key: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error.line == line, sourceLocation: sourceLocation)
        #expect(error.key == key, sourceLocation: sourceLocation)
        #expect(error.description.contains(":\(line): "), "names the line: \(error.description)", sourceLocation: sourceLocation)
        #expect(error.description.contains("'\(key)'"), "names the key: \(error.description)", sourceLocation: sourceLocation)
    }

    @Test("Every key type reads its value")
    func goodValues() throws {
        let providers = try ProvidersDirectory()
        try providers.write("full.yaml", """
            name: full
            kind: echo
            lifetime: 300
            enabled: false
            renew_fraction: 0.75
            audience: "42"
            scopes: "read:/a  write:/b"
            mode: slow
            label: ~
            """)
        try providers.write("list.yaml", """
            kind: echo
            scopes:
              - read:/x
              - "7"
            """)
        let result = providers.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let full = try #require(result.echo("full"))
        #expect(full.setting("lifetime") == "300")
        #expect(full.setting("enabled") == "false")
        #expect(full.setting("renew_fraction") == "0.75")
        #expect(full.setting("audience") == "42")
        #expect(full.setting("scopes") == "read:/a|write:/b")
        #expect(full.setting("mode") == "slow")
        #expect(full.setting("label") == "-")
        let list = try #require(result.echo("list"))
        #expect(list.setting("scopes") == "read:/x|7")
        #expect(list.setting("lifetime") == "-")
    }

    @Test("An unknown key close to a known one gets a 'did you mean' suggestion")
    func unknownKeyNearMiss() throws {
        let error = try soleError("kind: echo\nlifetme: 300\n")
        expectLocated(error, line: 2, key: "lifetme")
        #expect(error.problem.contains("unknown key"))
        #expect(error.fix?.contains("did you mean 'lifetime'?") == true, "\(error.description)")
        #expect(error.description.contains("did you mean 'lifetime'?"))
    }

    @Test("An unknown key far from every known one lists the known keys")
    func unknownKeyFarAway() throws {
        let error = try soleError("kind: echo\nmode: fast\ncolour_scheme_of_the_day: red\n")
        expectLocated(error, line: 3, key: "colour_scheme_of_the_day")
        #expect(error.fix?.contains("did you mean") == false)
        #expect(error.fix?.contains("lifetime") == true, "\(error.description)")
        #expect(error.fix?.contains("renew_fraction") == true, "\(error.description)")
    }

    @Test("A quoted number is not an integer, nor is a word")
    func stringForInteger() throws {
        let quoted = try soleError("kind: echo\nlifetime: \"300\"\n")
        expectLocated(quoted, line: 2, key: "lifetime")
        #expect(quoted.problem.contains("whole number"), "\(quoted.description)")
        let word = try soleError("kind: echo\n\nlifetime: five minutes\n")
        expectLocated(word, line: 3, key: "lifetime")
        #expect(word.description.contains("five minutes"), "shows what was found: \(word.description)")
    }

    @Test("A quoted \"false\" is refused, not read as a boolean")
    func quotedBoolean() throws {
        let error = try soleError("kind: echo\nenabled: \"false\"\n")
        expectLocated(error, line: 2, key: "enabled")
        #expect(error.problem.contains("true or false"), "\(error.description)")
    }

    @Test("A plain number where a string is expected must be quoted")
    func numberForString() throws {
        let error = try soleError("kind: echo\naudience: 42\n")
        expectLocated(error, line: 2, key: "audience")
        #expect(error.fix?.contains("quote") == true, "\(error.description)")
    }

    @Test("A list where a string is expected, a mapping where a list is expected")
    func wrongShapes() throws {
        let list = try soleError("kind: echo\naudience: [a, b]\n")
        expectLocated(list, line: 2, key: "audience")
        #expect(list.problem.contains("list"), "\(list.description)")
        let mapping = try soleError("kind: echo\nscopes:\n  read: /a\n")
        expectLocated(mapping, line: 2, key: "scopes")
        #expect(mapping.problem.contains("mapping"), "\(mapping.description)")
        let item = try soleError("kind: echo\nscopes: [read, 5]\n")
        expectLocated(item, line: 2, key: "scopes")
    }

    @Test("A word where a number is expected, a value outside a choice")
    func badNumberAndChoice() throws {
        let number = try soleError("kind: echo\nrenew_fraction: half\n")
        expectLocated(number, line: 2, key: "renew_fraction")
        let choice = try soleError("kind: echo\nmode: medium\n")
        expectLocated(choice, line: 2, key: "mode")
        #expect(choice.description.contains("fast") && choice.description.contains("slow"), "lists the choices: \(choice.description)")
    }

    @Test("Out-of-range numbers say the allowed range")
    func outOfRange() throws {
        let integer = try soleError("kind: echo\nlifetime: 10\n")
        expectLocated(integer, line: 2, key: "lifetime")
        #expect(integer.description.contains("60") && integer.description.contains("86400"), "\(integer.description)")
        let number = try soleError("kind: echo\nrenew_fraction: 1.5\n")
        expectLocated(number, line: 2, key: "renew_fraction")
        #expect(number.description.contains("0.95"), "\(number.description)")
    }

    @Test("A fragment without kind is refused and the message suggests one")
    func missingKind() throws {
        let error = try soleError("lifetime: 300\n")
        #expect(error.key == "kind")
        #expect(error.problem.contains("required"))
        #expect(error.line != nil)
        #expect(error.description.contains("'kind'"))
        #expect(error.description.contains("kind: echo"), "\(error.description)")
    }

    @Test("An unknown kind lists the known kinds")
    func unknownKind() throws {
        let error = try soleError("lifetime: 300\nkind: nope\n")
        expectLocated(error, line: 2, key: "kind")
        #expect(error.description.contains("'nope'"))
        #expect(error.description.contains("echo, other-kind"), "\(error.description)")
    }

    @Test("Invalid YAML is refused with the line of the problem")
    func invalidYAML() throws {
        let error = try soleError("kind: echo\nlifetime: 300\n  bad: indentation\nmode: fast\n")
        let line = try #require(error.line)
        #expect(line == 3, "the line of the stray indented key, found \(line)")
        #expect(error.description.contains(":\(line): "))
        #expect(error.problem.contains("YAML"), "\(error.description)")
    }

    @Test("A document that is not a mapping is refused", arguments: ["- a\n- b\n", "just some text\n", "", "---\n"])
    func notAMapping(yaml: String) throws {
        let error = try soleError(yaml)
        #expect(error.problem.contains("mapping"), "\(error.description)")
    }

    @Test("A key given twice is refused")
    func duplicateKey() throws {
        let error = try soleError("kind: echo\nlifetime: 300\nlifetime: 400\n")
        #expect(error.description.contains("twice"), "\(error.description)")
        #expect(error.description.contains("lifetime"), "\(error.description)")
    }

    @Test("An invalid service name is refused, from name: or from the file name")
    func invalidServiceName() throws {
        let explicit = try soleError("kind: echo\nname: my_service\n")
        expectLocated(explicit, line: 2, key: "name")
        #expect(explicit.description.contains("'my_service'"))
        let fromFile = try soleError("kind: echo\n", file: "my_service.yaml")
        #expect(fromFile.key == "name")
        #expect(fromFile.description.contains("'my_service'"), "\(fromFile.description)")
        let spaces = try soleError("kind: echo\nname: my service\n")
        expectLocated(spaces, line: 2, key: "name")
    }

    @Test("Special-character service names load when allowed")
    func specialCharacterNames() throws {
        let providers = try ProvidersDirectory()
        try providers.write("a.yaml", "kind: echo\nname: my_service.v2\n")
        let allowed = providers.load(allowSpecialCharacterNames: true)
        #expect(allowed.errors.isEmpty, "\(allowed.errors)")
        #expect(allowed.table.names == ["my_service.v2"])
        let refused = providers.load(allowSpecialCharacterNames: false)
        #expect(refused.table.names.isEmpty)
        #expect(refused.errors.count == 1)
    }

    @Test("A numeric name is refused, not replaced by the file name")
    func numericName() throws {
        let error = try soleError("kind: echo\nname: 12\n", file: "svc.yaml")
        expectLocated(error, line: 2, key: "name")
    }

    @Test("A null name either falls back to the file name or is reported; never a silent failure", arguments: ["name: ~\n", "name:\n"])
    func nullName(line: String) throws {
        let providers = try ProvidersDirectory()
        let path = try providers.write("svc.yaml", "kind: echo\n" + line)
        let result = providers.load()
        if result.table.names == ["svc"] {
            #expect(result.errors.isEmpty, "\(result.errors)")
        } else {
            #expect(result.failedFiles == [path])
            #expect(result.errors(in: path).count == 1, "a failed fragment must say why; errors: \(result.errors)")
        }
    }
}
