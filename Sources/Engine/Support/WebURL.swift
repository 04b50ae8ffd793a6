import FoundationEssentials

/// `URL(string:)` and `URLComponents(string:)` as full Foundation parsed them: FoundationEssentials alone
/// percent-encodes invalid characters everywhere, the host included (`https://idp.example.org[x]` becomes a URL);
/// Foundation encoded them in the path, query, fragment and user but refused a host that has any. (One difference is
/// left: Foundation turned a non-ASCII host into punycode with ICU; here such a host is refused.)
package enum WebURL {
    package static func parse(_ text: String) -> URL? {
        if let strict = URL(string: text, encodingInvalidCharacters: false) { return strict }
        guard let lax = URL(string: text) else { return nil }
        if let host = lax.host(percentEncoded: true), host.contains("%") { return nil }
        return lax
    }

    /// Components of a text `parse` accepts (Foundation's URLComponents refused exactly the texts its URL refused).
    package static func components(_ text: String) -> URLComponents? {
        guard text.isEmpty || parse(text) != nil else { return nil }
        return URLComponents(string: text)
    }
}
