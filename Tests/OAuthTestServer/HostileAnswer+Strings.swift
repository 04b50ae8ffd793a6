import Foundation

/// Rows: control characters, newlines and ANSI escapes in every string field of a token or error answer.
extension HostileAnswer {
    static let stringRows: [HostileAnswer] = [
        jsonRow("access_token with control characters", .controlCharacters, sends: #"200, "access_token" with a newline, ESC [2J, BEL"#,
                marker: #"\u001b"#) { _ in
            #"{"access_token":\#(quoted(accessToken + forgedLine)),"token_type":"Bearer","expires_in":3600}"#
        },
        jsonRow("access_token with NUL", .controlCharacters, sends: #"200, "access_token" with \u0000 inside"#, marker: #"\u0000"#) { _ in
            #"{"access_token":"\#(accessToken)\u0000tail","token_type":"Bearer","expires_in":3600}"#
        },
        jsonRow("refresh_token with control characters", .controlCharacters,
                sends: #"200, a usable answer but "refresh_token" with a newline and ANSI escapes"#, marker: #"\u001b"#) { _ in
            token(#""expires_in":3600,"refresh_token":\#(quoted(unknownRefreshToken + forgedLine))"#)
        },
        jsonRow("token_type with CRLF", .controlCharacters, sends: #"200, "token_type": "Bearer\r\nX-Injected: 1""#,
                marker: #"\r\nX-Injected"#) { _ in
            #"{"access_token":"\#(accessToken)","token_type":"Bearer\r\nX-Injected: 1","expires_in":3600}"#
        },
        jsonRow("scope with control characters", .controlCharacters, sends: #"200, "scope" with a newline and ANSI escapes"#,
                marker: #"\u001b"#) { _ in
            token(#""expires_in":3600,"scope":\#(quoted("read:/data" + forgedLine))"#)
        },
        jsonRow("scope with control characters (rotated)", .controlCharacters,
                sends: #"200, "scope" with a newline and ANSI escapes, a valid rotated refresh_token"#, rotates: true, marker: #"\u001b"#) { context in
            token(#""expires_in":3600,"scope":\#(quoted("read:/data" + forgedLine)),"refresh_token":"\#(context.refreshToken)""#)
        },
        jsonRow("error with a forged log line (503)", .controlCharacters, sends: "503, error = temporarily_unavailable + a forged log line and ANSI escapes",
                status: 503, marker: "FORGED-LINE") { _ in
            #"{"error":\#(quoted("temporarily_unavailable" + forgedLine)),"error_description":"try later"}"#
        },
        jsonRow("error_description with a forged log line (500)", .controlCharacters,
                sends: "500, server_error, error_description = a forged log line and ANSI escapes", status: 500, marker: "FORGED-LINE") { _ in
            #"{"error":"server_error","error_description":\#(quoted("upstream failed" + forgedLine + String(repeating: " padding", count: 200)))}"#
        },
        jsonRow("error_uri with a forged log line (503)", .controlCharacters, sends: "503, server_error, error_uri = a forged log line",
                status: 503, marker: "FORGED-LINE") { _ in
            #"{"error":"server_error","error_uri":\#(quoted("https://idp.example/e" + forgedLine))}"#
        },
        HostileAnswer("raw control bytes in error_description (500)", .controlCharacters,
                      sends: "500, error_description with unescaped newline, ESC and NUL bytes (not JSON)", outcome: .response(status: 500),
                      marker: "FORGED-LINE") { _ in
            response(500, contentType: "application/json",
                     body: Array(#"{"error":"server_error","error_description":"raw"#.utf8) + Array(forgedLine.utf8) + [0] + Array(#""}"#.utf8))
        },
    ]
}
