import Foundation
import Testing
import OAuthTestServer

@Suite("application/x-www-form-urlencoded, SHA-256 and PKCE")
struct FormBodyTests {
    @Test("Parsing: + is a space, %XX a byte, UTF-8, bad escapes kept, empty pairs skipped, no = is an empty value")
    func parsing() {
        let form = FormBody(parsing: "a=1+2&b=%C3%A9t%C3%A9&&c&d=%zz%4&e=x=y&%2B=%2b&f=%FF")
        #expect(form["a"] == "1 2")
        #expect(form["b"] == "été")
        #expect(form.values("c") == [""])
        #expect(form["c"] == nil)  // empty counts as absent (RFC 6749 §3.1)
        #expect(form["d"] == "%zz%4")
        #expect(form["e"] == "x=y")
        #expect(form["+"] == "+")
        #expect(form["f"] == "\u{FFFD}")
        #expect(form.fields.count == 7)
    }

    @Test("Encoding keeps only *-._ and alphanumerics; round trip")
    func encoding() {
        #expect(FormBody.encode("a b+c:d%e/f~g*h-i.j_k") == "a+b%2Bc%3Ad%25e%2Ff%7Eg*h-i.j_k")
        #expect(FormBody.encode("é") == "%C3%A9")
        let original: FormBody = ["x": "1 + 1 = 2 & more", "ü": "%41"]
        #expect(FormBody(parsing: original.encoded) == original)
        #expect(FormBody.decode(FormBody.encode("id:with+plus sp%41ce")) == "id:with+plus sp%41ce")
    }

    @Test("Repeated names are reported")
    func repeated() {
        #expect(FormBody(parsing: "a=1&b=2&a=3&b=4&c=5").repeatedNames == ["a", "b"])
    }

    @Test("SHA-256 test vectors (FIPS 180-4)", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256(input: String, digest: String) {
        #expect(OAuthServer.PKCE.sha256(Array(input.utf8)).map { String(format: "%02x", $0) }.joined() == digest)
    }

    @Test("PKCE S256: RFC 7636 appendix B")
    func pkce() {
        #expect(OAuthServer.PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let verifier = OAuthServer.PKCE.makeVerifier()
        #expect(verifier.count == 43)
        #expect(OAuthServer.PKCE.isWellFormed(verifier))
        #expect(!OAuthServer.PKCE.isWellFormed("short"))
        #expect(!OAuthServer.PKCE.isWellFormed(String(repeating: "a", count: 42) + "!"))
    }
}
