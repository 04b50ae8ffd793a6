import Engine

/// `json`: `JSONValue.parseObject`, the parser of every `.top`, `.meta`, `.use` and token answer.
enum JSONHarness {
    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let object = JSONValue.parseObject(bytes) else { return }
        try fuzzExpect(JSONChecks.allNumbersFinite(.object(object)),
                       "parseObject accepted a non-finite number: \(fuzzPreview(bytes))")
        try JSONChecks.roundTrip(object, what: "json")
    }
}
