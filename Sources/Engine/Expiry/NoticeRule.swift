/// When a credential's health is worth a notification: once per warning threshold, once on `expired`, once on
/// `revoked`, and `ok` again only after one of those was sent.
public enum NoticeRule {
    /// The notice to send (if any) when a credential last notified as `notified` (nil: nothing sent, or `ok`) is now
    /// `current`, and what to remember as notified.
    public static func next(notified: HealthAssessment?, current: HealthAssessment) -> (send: Bool, notified: HealthAssessment?) {
        switch current.health {
        case .ok:
            return (notified != nil, nil)
        case .expiring:
            guard let notified, notified.health == .expiring, let sent = notified.threshold, let now = current.threshold else {
                return (true, current)
            }
            // A smaller threshold crossed: warn again. A later expiry (a rotation, a new login) within a larger one:
            // remember that one, quietly, so that the smaller ones warn again in their turn.
            return (now < sent, current)
        case .expired, .revoked:
            return notified?.health == current.health ? (false, notified) : (true, current)
        }
    }
}
