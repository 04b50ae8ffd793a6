import Foundation

/// Rows: numbers out of range or not finite (`expires_in`, `expires_at`, a JWT's `exp`).
extension HostileAnswer {
    /// `{"access_token": …, "token_type": "Bearer", <members>}`.
    static func token(_ members: String) -> String {
        #"{"access_token":"\#(accessToken)","token_type":"Bearer",\#(members)}"#
    }

    static let numberRows: [HostileAnswer] = [
        jsonRow("expires_in 1e300 (rotated)", .number, sends: #"200, "expires_in": 1e300, a valid rotated refresh_token"#,
                rotates: true, marker: "1e300") { context in
            token(#""expires_in":1e300,"refresh_token":"\#(context.refreshToken)""#)
        },
        jsonRow("expires_in Int64.max", .number, sends: #"200, "expires_in": 9223372036854775807"#,
                marker: "9223372036854775807") { _ in token(#""expires_in":9223372036854775807"#) },
        jsonRow("expires_in Int64.min", .number, sends: #"200, "expires_in": -9223372036854775808"#,
                marker: "-9223372036854775808") { _ in token(#""expires_in":-9223372036854775808"#) },
        jsonRow("expires_in 2^64", .number, sends: #"200, "expires_in": 18446744073709551616 (beyond Int64)"#,
                marker: "18446744073709551616") { _ in token(#""expires_in":18446744073709551616"#) },
        jsonRow("expires_in -5", .number, sends: #"200, "expires_in": -5 (already expired)"#,
                marker: #""expires_in":-5"#) { _ in token(#""expires_in":-5"#) },
        jsonRow("expires_in 0", .number, sends: #"200, "expires_in": 0 (expired at once)"#,
                marker: #""expires_in":0"#) { _ in token(#""expires_in":0"#) },
        jsonRow("expires_in 0 (rotated)", .number, sends: #"200, "expires_in": 0, a valid rotated refresh_token"#,
                rotates: true, marker: #""expires_in":0"#) { context in
            token(#""expires_in":0,"refresh_token":"\#(context.refreshToken)""#)
        },
        jsonRow("expires_in over 10 years", .number, sends: #"200, "expires_in": 400000000 (12.7 years)"#,
                marker: "400000000") { _ in token(#""expires_in":400000000"#) },
        jsonRow("expires_in 1e999", .number, sends: #"200, "expires_in": 1e999 (not finite: not JSON)"#,
                marker: "1e999") { _ in token(#""expires_in":1e999"#) },
        jsonRow("extra member 1e999", .number, sends: #"200, a usable answer plus "x": 1e999"#,
                marker: #""x":1e999"#) { _ in token(#""expires_in":3600,"x":1e999"#) },
        jsonRow("expires_at year 5000", .number, sends: #"200, no expires_in, "expires_at": 95617584000 (year 5000)"#,
                marker: "95617584000") { _ in token(#""expires_at":95617584000"#) },
        jsonRow("expires_at before 1970", .number, sends: #"200, no expires_in, "expires_at": -1"#,
                marker: #""expires_at":-1"#) { _ in token(#""expires_at":-1"#) },
        jsonRow("JWT exp in the past", .number, sends: #"200, access_token a JWT whose exp was an hour ago, "expires_in": 3600"#,
                marker: "eyJ") { context in
            let now = Int(context.now.timeIntervalSince1970)
            let jwt = jwt(["iss": "https://hostile.test", "sub": secretMarker, "iat": now - 7200, "exp": now - 3600])
            return #"{"access_token":"\#(jwt)","token_type":"Bearer","expires_in":3600}"#
        },
    ]
}
