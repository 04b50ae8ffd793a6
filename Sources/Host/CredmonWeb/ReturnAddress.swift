import Engine
import Foundation

/// The OAuth `redirect_uri` of a login: condor_credd's `ReturnUrl` (`CREDMON_WEB_PREFIX` + `<SERVICE>_RETURN_URL_SUFFIX`,
/// contract §B.3.4), sent verbatim, as HTCondor's web app does, in the authorization and the token request; and the
/// path of this app it names, where the provider's answer arrives.
enum ReturnAddress {
    /// The key file's `ReturnUrl`, unchanged, when it is an absolute http(s) URL without user info or fragment; this
    /// app's own `/return/<service>` (`fallback`) when the ad has none. Anything else is refused with a page that
    /// names the knobs it comes from.
    static func redirectURI(_ ad: KeyFileService, fallback: String) throws(WebProblem) -> String {
        guard let given = ad.returnURL else { return fallback }
        if let reason = refusal(given) {
            let service = ad.tokenName.stem
            throw .misconfigured(service: service, "its return address (ReturnUrl) \(reason); condor_credd builds it from "
                                 + "CREDMON_WEB_PREFIX and \(ad.provider.uppercased())_RETURN_URL_SUFFIX")
        }
        return given
    }

    /// Why `text` cannot be a redirect URI, or nil when it can. Refused: not a URL, a scheme other than http/https
    /// (the browser must come back here), no host, user info (a password must never travel in a URL), a fragment
    /// (RFC 6749 §3.1.2 forbids it, and providers refuse it).
    static func refusal(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "is not an absolute URL"
        }
        guard scheme == "https" || scheme == "http" else { return "is not an http(s) URL" }
        guard let host = components.host, !host.isEmpty else { return "has no host" }
        guard components.user == nil && components.password == nil else { return "carries user info" }
        guard components.fragment == nil else { return "has a fragment (#…)" }
        return nil
    }

    /// The route a redirect URI names, relative to the app's prefix (`https://h/credmon/oauth/cb` → `/oauth/cb` under
    /// `/credmon`); nil when it is no URL or lies outside the prefix.
    static func route(ofRedirectURI uri: String, prefix: String) -> String? {
        URLComponents(string: uri).flatMap { route(ofPath: $0.percentEncodedPath, prefix: prefix) }
    }

    /// A request path relative to the prefix, percent-decoded, without a trailing `/` (the prefix itself is `/`);
    /// nil outside the prefix.
    static func route(ofPath path: String, prefix: String) -> String? {
        var decoded = path.removingPercentEncoding ?? path
        if !prefix.isEmpty {
            guard decoded == prefix || decoded.hasPrefix(prefix + "/") else { return nil }
            decoded.removeFirst(prefix.count)
        }
        while decoded.hasSuffix("/") { decoded.removeLast() }
        return decoded.isEmpty ? "/" : decoded
    }
}
