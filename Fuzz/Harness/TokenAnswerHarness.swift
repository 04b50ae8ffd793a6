import Engine
import Foundation
import OAuthClient

/// `token-answer`: a token endpoint's 200 body as the OAuth client takes it (`TokenResponse.parse`), then the `.use`
/// the daemon writes from it (`accessTokenFile(issuedAt:)`), then that `.use` read back as the daemon reads it.
enum TokenAnswerHarness {
    static let issuedTimes: [Date] = [Date(timeIntervalSince1970: 1_780_000_000), Date(timeIntervalSince1970: 1_780_000_000.5)]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let response: TokenResponse
        do { response = try TokenResponse.parse(Data(bytes)) } catch {
            try checkError(error, bytes)
            return
        }
        try fuzzExpect(!response.accessToken.isEmpty && response.accessToken.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E },
                       "an access token outside RFC 6749's character set was accepted: \(fuzzPreview(bytes))")
        if let expiresIn = response.expiresIn {
            try fuzzExpect(expiresIn.isFinite && expiresIn >= 0 && expiresIn <= ExternalTime.maximumDuration,
                           "expires_in \(expiresIn) accepted: \(fuzzPreview(bytes))")
        }
        try fuzzExpect(JSONChecks.allNumbersFinite(.object(response.object)), "a non-finite number in an answer: \(fuzzPreview(bytes))")
        for issued in issuedTimes {
            // The client-credentials and token-exchange kinds' reading of the same answer.
            if let (validity, lifetime) = try? response.validity(now: issued, fallbackLifetime: 1200, endpoint: "fuzz") {
                try fuzzExpect(lifetime >= 1 && validity.expiresAt > validity.issuedAt && validity.lifetime <= Double(lifetime) + 1
                               && validity.expiresAt.timeIntervalSince1970.isFinite,
                               "validity \(validity) with expires_in \(lifetime) from \(fuzzPreview(bytes))")
            }
            let rendered: (bytes: [UInt8], validity: TokenValidity?)
            do { rendered = try response.accessTokenFile(issuedAt: issued) } catch {
                try checkError(error, bytes)
                continue
            }
            guard let object = JSONValue.parseObject(rendered.bytes) else {
                throw FuzzViolation("the .use rendered from \(fuzzPreview(bytes)) is not a JSON object: \(fuzzPreview(rendered.bytes))")
            }
            try fuzzExpect(JSONChecks.allNumbersFinite(.object(object)), "a non-finite number in a rendered .use: \(fuzzPreview(rendered.bytes))")
            try fuzzExpect(object["refresh_token"] == nil, "the refresh token was written to the .use")
            try fuzzExpect(object["access_token"]?.stringValue == response.accessToken, "the .use holds another access token")
            let use: AccessTokenFile
            do { use = try AccessTokenFile.parse(rendered.bytes, path: "rendered.use") } catch {
                throw FuzzViolation("the daemon cannot read the .use it wrote (\(error)): \(fuzzPreview(rendered.bytes))")
            }
            try fuzzExpect(use.accessToken == response.accessToken, "the .use reads back with another access token")
            if response.expiresIn != nil {
                try fuzzExpect(use.expiresIn != nil && use.expiresAt != nil,
                               "the .use's expires_in/expires_at do not read back: \(fuzzPreview(rendered.bytes))")
            }
            if let validity = rendered.validity {
                let start = validity.issuedAt.timeIntervalSince1970, end = validity.expiresAt.timeIntervalSince1970
                try fuzzExpect(start.isFinite && end.isFinite && end > issued.timeIntervalSince1970,
                               "validity \(start)...\(end) for an answer at \(issued.timeIntervalSince1970): \(fuzzPreview(bytes))")
                let back = use.validity(fileModified: issued)
                try fuzzExpect(back.map { $0.expiresAt.timeIntervalSince1970.isFinite } == true,
                               "the .use written with a validity reads back without one: \(fuzzPreview(rendered.bytes))")
            }
        }
    }

    /// A refused answer: the reason is printable (it reaches the log and status.json), never holds a token of the
    /// answer, and a salvaged refresh token is the answer's own, well-formed.
    static func checkError(_ error: TokenAnswerError, _ bytes: [UInt8]) throws(FuzzViolation) {
        try fuzzExpect(!error.problem.isEmpty, "a refusal without a reason: \(fuzzPreview(bytes))")
        try fuzzExpect(Printable.isPrintable(error.problem), "an unprintable reason \(fuzzPreview(error.problem)) for \(fuzzPreview(bytes))")
        try fuzzExpect(error.problem.utf8.count <= 1024, "a reason of \(error.problem.utf8.count) bytes")
        if let object = JSONValue.parseObject(bytes) {
            for key in ["access_token", "refresh_token"] {
                guard let token = object[key]?.stringValue, Printable.isDistinctive(token, in: bytes) else { continue }
                try fuzzExpect(!error.problem.contains(token), "the reason shows the \(key): \(fuzzPreview(error.problem))")
            }
            if let salvaged = error.refreshToken {
                try fuzzExpect(object["refresh_token"]?.stringValue == salvaged, "a salvaged refresh token that is not the answer's")
            }
        }
        if let salvaged = error.refreshToken {
            try fuzzExpect(!salvaged.isEmpty && salvaged.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E },
                           "a salvaged refresh token outside RFC 6749's character set: \(fuzzPreview(salvaged))")
        }
    }
}
