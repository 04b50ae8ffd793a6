/// How many token requests an OAuth provider has in flight at once unless its fragment says otherwise
/// (`max_concurrent`).
///
/// 32: the rate limits the shipped presets' IdPs publish are per user (Box: about 1,000 calls a minute per user;
/// Google's and Dropbox's quotas likewise), and Credmon sends one request per user's credential per renewal, so
/// concurrency never approaches them; the one per-client figure published (Microsoft Entra External ID: 20 requests
/// a second per IP) is a rate, not a concurrency, and is met by a `429` with `Retry-After`, which Credmon honours.
/// At a remote IdP's usual 100–300 ms per answer, 32 in flight is at most a few hundred requests a second, and only
/// while a backlog lasts (a first start, a return after an outage). At 16 a backlog of 1,000 due credentials at
/// 20 ms per answer needed 1.25 s at best; at 32, 0.63 s.
public enum RequestConcurrency {
    /// The default `max_concurrent` of the OAuth kinds (oauth2 and its presets, client-credentials, token-exchange).
    public static let defaultPerProvider = 32
}
