import Foundation

/// Rows: members of the wrong JSON type, bodies that are JSON but not an object, repeated keys, deep nesting.
extension HostileAnswer {
    static let typeRows: [HostileAnswer] = [
        jsonRow("access_token a number (rotated)", .type, sends: #"200, "access_token": 12345, a valid rotated refresh_token"#,
                rotates: true, marker: #""access_token":12345"#) { context in
            #"{"access_token":12345,"token_type":"Bearer","expires_in":3600,"refresh_token":"\#(context.refreshToken)"}"#
        },
        jsonRow("access_token null", .type, sends: #"200, "access_token": null"#, marker: #""access_token":null"#) { _ in
            #"{"access_token":null,"token_type":"Bearer","expires_in":3600}"#
        },
        jsonRow("access_token an object", .type, sends: #"200, "access_token": {"value": …}"#, marker: #""access_token":{"#) { _ in
            #"{"access_token":{"value":"\#(accessToken)"},"token_type":"Bearer","expires_in":3600}"#
        },
        jsonRow("access_token empty", .type, sends: #"200, "access_token": """#, marker: #""access_token":"""#) { _ in
            #"{"access_token":"","token_type":"Bearer","expires_in":3600}"#
        },
        jsonRow("expires_in an object", .type, sends: #"200, "expires_in": {"seconds": 3600}"#, marker: #""expires_in":{"#) { _ in
            token(#""expires_in":{"seconds":3600}"#)
        },
        jsonRow("expires_in a word", .type, sends: #"200, "expires_in": "soon""#, marker: #""expires_in":"soon""#) { _ in
            token(#""expires_in":"soon""#)
        },
        jsonRow("expires_in a boolean", .type, sends: #"200, "expires_in": true"#, marker: #""expires_in":true"#) { _ in
            token(#""expires_in":true"#)
        },
        jsonRow("refresh_token an array", .type, sends: #"200, a usable answer but "refresh_token": ["…"]"#,
                marker: #""refresh_token":["#) { _ in
            token(#""expires_in":3600,"refresh_token":["\#(unknownRefreshToken)"]"#)
        },
        jsonRow("token_type a number", .type, sends: #"200, "token_type": 7"#, marker: #""token_type":7"#) { _ in
            #"{"access_token":"\#(accessToken)","token_type":7,"expires_in":3600}"#
        },
        jsonRow("scope an object", .type, sends: #"200, "scope": {"read": true}"#, marker: #""scope":{"#) { _ in
            token(#""expires_in":3600,"scope":{"read":true}"#)
        },
        jsonRow("body a JSON array", .type, sends: "200, [ {a token answer} ]", marker: "[{") { _ in
            "[" + token(#""expires_in":3600"#) + "]"
        },
        jsonRow("body null", .type, sends: "200, null", marker: "null") { _ in "null" },
        jsonRow("body an empty object", .type, sends: "200, {} (no access_token)", marker: "{}") { _ in "{}" },
        jsonRow("duplicate expires_in", .duplicateKey, sends: #"200, "expires_in": 3600 and again "expires_in": 1e300"#,
                marker: #""expires_in":3600,"expires_in":1e300"#) { _ in
            token(#""expires_in":3600,"expires_in":1e300"#)
        },
        jsonRow("duplicate access_token", .duplicateKey, sends: #"200, "access_token": "…" and again "access_token": {}"#,
                marker: #""access_token":{}"#) { _ in
            token(#""expires_in":3600,"access_token":{}"#)
        },
        jsonRow("10,000 nested arrays in a member", .nesting, sends: #"200, a usable answer plus "x": [[[[… 10,000 deep"#,
                marker: String(repeating: "[", count: 10_000)) { _ in
            token(#""expires_in":3600,"x":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        },
        jsonRow("10,000 nested objects as the body", .nesting, sends: #"200, {"a":{"a":{… 10,000 deep"#,
                marker: String(repeating: #"{"a":"#, count: 100)) { _ in
            String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        },
    ]
}
