/// What a user should do about a credential, in one sentence: the notification command's `CREDMON_LOGIN_HINT` and
/// credmon-web's index page.
public enum LoginHint {
    /// For a web-login service: delete the credential and submit again (condor_credd then writes a fresh login link);
    /// for a Vault service: submit again (htgettoken stores a new Vault token).
    public static func text(for id: CredentialID, health: CredentialHealth, lifetime: CredentialLifetime) -> String {
        if health == .ok { return "Nothing to do: the credential is in order." }
        if lifetime == .reportedByProvider {
            return "Submit a job again: HTCondor runs htgettoken, which stores a new Vault token (log in when it asks)."
        }
        let handle = id.token.handle.map { " -H \($0)" } ?? ""
        return "Run 'condor_store_cred delete-oauth -s \(id.token.service)\(handle)' and submit again: condor_credd then writes a fresh login link."
    }
}
