/// The built-in functions, with HTCondor's argument checks: a wrong number of arguments is `error`; strings are
/// measured, cut and case-mapped as bytes (C locale), as HTCondor does.
extension ClassAdEvaluator {
    /// Longest text `regexp()` searches (bytes); a longer target makes it `error`.
    static let maximumRegexTarget = 65_536

    mutating func call(_ function: ClassAdFunction, _ arguments: [ClassAdNode]) -> ClassAdValue {
        switch function {
        case .ifThenElse:
            guard arguments.count == 3 else { return .error }
            let selector = evaluate(arguments[0])
            if selector == .undefined { return .undefined }
            guard let truth = selector.booleanEquivalent else { return .error }
            return evaluate(arguments[truth ? 1 : 2])
        case .strcat:
            var out = ""
            for argument in arguments {
                let value = evaluate(argument)
                guard let text = value.convertedToString else { return value }
                guard spend(1 + text.utf8.count / 8) else { return .error }
                out += text
            }
            return .string(out)
        case .string, .toLower, .toUpper:
            guard arguments.count == 1 else { return .error }
            let value = evaluate(arguments[0])
            guard let text = value.convertedToString else { return value }
            guard spend(1 + text.utf8.count / 8) else { return .error }
            switch function {
            case .toLower: return .string(ClassAdText.string(text.utf8.map(ClassAdText.lower)))
            case .toUpper: return .string(ClassAdText.string(text.utf8.map(ClassAdText.upper)))
            default: return .string(text)
            }
        case .size:
            guard arguments.count == 1 else { return .error }
            switch evaluate(arguments[0]) {
            case .undefined: return .undefined
            case .string(let text): return .integer(Int64(text.utf8.count))
            default: return .error
            }
        case .isUndefined, .isError, .isString:
            guard arguments.count == 1 else { return .error }
            let value = evaluate(arguments[0])
            switch function {
            case .isUndefined: return .boolean(value == .undefined)
            case .isError: return .boolean(value == .error)
            default: if case .string = value { return .boolean(true) } else { return .boolean(false) }
            }
        case .substr:
            guard arguments.count == 2 || arguments.count == 3 else { return .error }
            var evaluated: [ClassAdValue] = []
            for argument in arguments { evaluated.append(evaluate(argument)) }
            return substr(evaluated)
        case .regexp:
            guard arguments.count == 2 || arguments.count == 3 else { return .error }
            var evaluated: [ClassAdValue] = []
            for argument in arguments { evaluated.append(evaluate(argument)) }
            return regexp(evaluated)
        }
    }

    /// `substr(s, offset[, length])`: offset and length are cut to 32-bit integers and clamped as HTCondor does
    /// (a negative offset counts from the end; a length ≤ 0 stops that many bytes before the end).
    mutating func substr(_ values: [ClassAdValue]) -> ClassAdValue {
        if values.contains(.undefined) { return .undefined }
        guard case .string(let text) = values[0], case .integer(let rawOffset) = values[1] else { return .error }
        var rawLength: Int64?
        if values.count == 3 {
            guard case .integer(let value) = values[2] else { return .error }
            rawLength = value
        }
        let bytes = Array(text.utf8)
        guard spend(1 + bytes.count / 8) else { return .error }
        let count = bytes.count
        var offset = Int(Int32(truncatingIfNeeded: rawOffset))
        if offset < 0 { offset = count + offset } else if offset >= count { offset = count }
        if offset < 0 { offset = 0 }
        var length = rawLength.map { Int(Int32(truncatingIfNeeded: $0)) } ?? count
        if length <= 0 {
            length = max(0, count - offset + length)
        } else if length > count - offset {
            length = count - offset
        }
        if rawLength.map({ Int32(truncatingIfNeeded: $0) == 0 }) == true { length = 0 }
        length = min(length, count - offset)
        return .string(ClassAdText.string(bytes[offset..<(offset + length)]))
    }

    /// `regexp(pattern, target[, options])`: `error` first, then `undefined`, then non-strings are `error`; a
    /// pattern that is not a regular expression, or one outside `ClassAdRegex`'s subset, is `error` too.
    mutating func regexp(_ values: [ClassAdValue]) -> ClassAdValue {
        if values.contains(.error) { return .error }
        if values.contains(.undefined) { return .undefined }
        guard case .string(let pattern) = values[0], case .string(let target) = values[1] else { return .error }
        var options = ClassAdRegexOptions("")
        if values.count == 3 {
            guard case .string(let text) = values[2] else { return .error }
            options = ClassAdRegexOptions(text)
        }
        let bytes = Array(target.utf8)
        guard bytes.count <= Self.maximumRegexTarget else { return .error }
        guard spend(1 + (pattern.utf8.count + bytes.count) / 8) else { return .error }
        guard let regex = Self.compile(pattern, options), spend(regex.program.count) else { return .error }
        var budget = fuel
        let found = regex.matches(bytes, fuel: &budget)
        guard let found, spend(fuel - max(budget, 0)) else {
            _ = spend(fuel + 1)
            return .error
        }
        return .boolean(found)
    }

    /// The compiled pattern, or nil when `regexp()` gives `error` for it.
    static func compile(_ pattern: String, _ options: ClassAdRegexOptions) -> ClassAdRegex? {
        do { return try ClassAdRegex(pattern: pattern, options: options) } catch { return nil }
    }
}
