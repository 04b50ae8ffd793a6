import FoundationEssentials
import Testing
@testable import Engine

/// What replaced Foundation APIs missing from FoundationEssentials gives Foundation's results (the expected values were
/// taken from Foundation on Linux).
@Suite("FoundationEssentials replacements")
struct EssentialsHelpersTests {
    @Test("Path operations as NSString's")
    func paths() {
        #expect(PathText.appending("/etc/credmon", "a.yaml") == "/etc/credmon/a.yaml")
        #expect(PathText.appending("/etc/credmon/", "a.yaml") == "/etc/credmon/a.yaml")
        #expect(PathText.appending("", "a") == "a" && PathText.appending("/", "x") == "/x" && PathText.appending("a", "/x") == "a//x")
        #expect(PathText.lastComponent("/a/b/") == "b" && PathText.lastComponent("/") == "/" && PathText.lastComponent("//") == "")
        #expect(PathText.deletingLastComponent("/a/b") == "/a" && PathText.deletingLastComponent("/a") == "/")
        #expect(PathText.deletingLastComponent("/a//b//") == "/a" && PathText.deletingLastComponent("a/b") == "a")
        #expect(PathText.deletingExtension("dir/a.yml") == "dir/a" && PathText.deletingExtension(".yaml") == ".yaml")
        #expect(PathText.deletingExtension("a..b") == "a." && PathText.deletingExtension("/x/y.d/") == "/x/y" && PathText.deletingExtension("..") == "..")
    }

    @Test("Trimming, padding, printf and percent-encoding")
    func text() {
        #expect(" \t a b \u{00A0}".trimmingSpaces() == "a b" && "\n a \r\n".trimmingSpaces() == "\n a \r\n")
        #expect("\n a \r\n\u{2028}".trimmingSpacesAndNewlines() == "a")
        #expect("ab".padded(toLength: 4) == "ab  " && "abcdef".padded(toLength: 3) == "abc")
        #expect(CFormat.double("%1.15E", 1.5) == "1.500000000000000E+00")
        #expect(PercentEncoding.escape(0x2B) == "%2B" && PercentEncoding.decode("a%20b%C3%A9") == "a bé")
        #expect(PercentEncoding.decode("a%2") == nil && PercentEncoding.decode("%FF") == nil)
    }

    @Test("HTTP-dates as the en_US_POSIX DateFormatter read them")
    func httpDates() {
        let date = 1_445_412_480.0
        for text in ["Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 21 Oct 2015 07:28:00 GMT", "wed, 21 oct 2015 07:28:00 gmt",
                     "Wednesday, 21 October 2015 07:28:00 GMT", "Wed 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 UTC",
                     "Wed, 21 Oct 2015 07:28:00 Z"] {
            #expect(HTTPDate.parse(text)?.timeIntervalSince1970 == date, "\(text)")
        }
        #expect(HTTPDate.parse("Wed, 1 Oct 2015 7:28:00 GMT")?.timeIntervalSince1970 == 1_443_684_480)
        #expect(HTTPDate.parse("Fri, 31 Dec 9999 23:59:59 GMT")?.timeIntervalSince1970 == 253_402_300_799)
        for text in ["Wed, 31 Feb 2015 07:28:00 GMT", "Wed, 21 Oct 2015 24:28:00 GMT", "Wed, 21 Oct 2015 07:28:60 GMT",
                     "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Oct 2015 07:28:00 GMT x", "Wed Oct 21 07:28:00 2015", "Wed, 21 Sept 2015 07:28:00 GMT"] {
            #expect(HTTPDate.parse(text) == nil, "\(text)")
        }
    }

    @Test("URLs as Foundation parsed them: a host with invalid characters is refused, the rest encoded")
    func urls() {
        #expect(WebURL.parse("https://idp.example.org[openid, offline_access]") == nil)
        #expect(WebURL.parse("https://h x.org/p") == nil && WebURL.components("https://h{x.org/p") == nil)
        #expect(WebURL.parse("https://h.org/p q")?.absoluteString == "https://h.org/p%20q")
        #expect(WebURL.parse("https://[::1]:8200/v1")?.port == 8200)
        #expect(WebURL.components("https://u:p@h.org:8443/a?b=c")?.host == "h.org")
    }
}
