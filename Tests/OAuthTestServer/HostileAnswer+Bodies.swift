import Foundation

/// Rows: huge and endless bodies, empty bodies, HTML pages, wrong content types, invalid UTF-8.
extension HostileAnswer {
    static let mebibyte = 1 << 20

    static let bodyRows: [HostileAnswer] = [
        jsonRow("1.5 MiB padding member", .size, sends: #"200, a usable answer plus "padding": 1.5 MiB of x"#,
                marker: String(repeating: "x", count: 1000)) { _ in
            token(#""expires_in":3600,"padding":""# + String(repeating: "x", count: mebibyte * 3 / 2) + #"""#)
        },
        jsonRow("2 MiB access token", .size, sends: "200, an access_token of 2 MiB", marker: String(repeating: "y", count: 1000)) { _ in
            #"{"access_token":"\#(accessToken)"# + String(repeating: "y", count: 2 * mebibyte) + #"","token_type":"Bearer","expires_in":3600}"#
        },
        HostileAnswer("64 MiB chunked body", .size, sends: "200, chunked, a 64 MiB access_token streamed as fast as the client reads",
                      outcome: .response(status: 200), marker: "Transfer-Encoding: chunked") { _ in
            let opening = Array(#"{"access_token":"\#(accessToken)"#.utf8)
            let closing = Array(#"","token_type":"Bearer","expires_in":3600}"#.utf8)
            let size = 64 * 1024
            let chunk = Array((String(size, radix: 16) + "\r\n").utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: size) + Array("\r\n".utf8)
            return [
                .send(head(200, [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")], contentLength: nil)),
                .send(Array((String(opening.count, radix: 16) + "\r\n").utf8) + opening + Array("\r\n".utf8)),
                .sendRepeated(chunk, times: 64 * mebibyte / size),
                .send(Array((String(closing.count, radix: 16) + "\r\n").utf8) + closing + Array("\r\n0\r\n\r\n".utf8)),
            ]
        },
        HostileAnswer("empty body", .content, sends: "200, application/json, Content-Length: 0", outcome: .response(status: 200),
                      marker: "Content-Length: 0") { _ in
            response(200, contentType: "application/json", body: [])
        },
        HostileAnswer("HTML error page (200)", .content, sends: "200, text/html, an error page", outcome: .response(status: 200),
                      marker: "<html>") { _ in
            response(200, contentType: "text/html; charset=utf-8", body: Array(htmlPage.utf8))
        },
        HostileAnswer("HTML error page (500)", .content, sends: "500, text/html, an error page", outcome: .response(status: 500),
                      marker: "<html>") { _ in
            response(500, contentType: "text/html; charset=utf-8", body: Array(htmlPage.utf8))
        },
        HostileAnswer("HTML labelled application/json", .content, sends: "200, application/json, an HTML page",
                      outcome: .response(status: 200), marker: "<html>") { _ in
            response(200, contentType: "application/json", body: Array(htmlPage.utf8))
        },
        HostileAnswer("PNG bytes", .content, sends: "200, image/png, binary bytes", outcome: .response(status: 200),
                      marker: "IHDR") { _ in
            response(200, contentType: "image/png", body: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
                     + Array("IHDR".utf8) + [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0xFF])
        },
        HostileAnswer("form-encoded expired token as text/plain", .content,
                      sends: "200, text/plain, access_token=…&token_type=Bearer&expires_in=-5", outcome: .response(status: 200),
                      marker: "expires_in=-5") { _ in
            response(200, contentType: "text/plain", body: Array("access_token=\(accessToken)&token_type=Bearer&expires_in=-5".utf8))
        },
        HostileAnswer("invalid UTF-8 in access_token", .encoding, sends: "200, access_token with bytes FF FE C0 AF",
                      outcome: .response(status: 200), marker: "\(accessToken)") { _ in
            response(200, contentType: "application/json", body: Array(#"{"access_token":"\#(accessToken)"#.utf8)
                     + [0xFF, 0xFE, 0xC0, 0xAF] + Array(#"","token_type":"Bearer","expires_in":3600}"#.utf8))
        },
        HostileAnswer("invalid UTF-8 in error_description (500)", .encoding, sends: "500, server_error, error_description with bytes FF C0 80",
                      outcome: .response(status: 500), marker: "server_error") { _ in
            response(500, contentType: "application/json", body: Array(#"{"error":"server_error","error_description":"bad "#.utf8)
                     + [0xFF, 0xC0, 0x80] + Array(#" bytes"}"#.utf8))
        },
        HostileAnswer("UTF-16 body", .encoding, sends: "200, application/json, a token answer in UTF-16LE with a BOM",
                      outcome: .response(status: 200), marker: nil) { _ in
            let text = token(#""expires_in":3600"#)
            let bytes = [UInt8]([0xFF, 0xFE]) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            return response(200, contentType: "application/json; charset=utf-16", body: bytes)
        },
    ]

    static let htmlPage = """
        <!DOCTYPE html>
        <html><head><title>502 Bad Gateway</title></head>
        <body><h1>Bad Gateway</h1><p>The upstream server returned an invalid response.</p>
        <script>document.location="https://evil.example/"</script></body></html>
        """
}
