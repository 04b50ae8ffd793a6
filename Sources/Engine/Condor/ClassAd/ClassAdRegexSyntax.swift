/// The regular expressions of ClassAd's `regexp()`: a PCRE subset matched by `ClassAdRegex` over bytes, like
/// HTCondor's PCRE2 without UTF mode (`.` is one byte, case folding is ASCII).
///
/// Supported: literals and escaped punctuation; `.`; `[…]` classes with ranges, negation, escapes and POSIX
/// `[:name:]`; `\d \D \w \W \s \S`, `\n \t \r \f \v \e \a`, `\xhh`; `^ $ \A \z \Z \b \B`; groups `( )` and `(?: )`;
/// `|`; `* + ? {n} {n,} {n,m}` and their lazy forms. Options `i m s x` (lower case only; other characters, `I`
/// included, are ignored, as HTCondor does). Not supported (`ClassAdRegexProblem.unsupported`): back-references, look-around, named
/// groups, inline options `(?i)`, possessive quantifiers, `\p{…}`, `\Q…\E`, `\x{…}`, `\h \v \R \K \G`, quantified
/// assertions, counts above 1000.
enum ClassAdRegexProblem: Error, Equatable {
    /// Not a regular expression for PCRE either: HTCondor's `regexp()` gives `error`.
    case invalid(String)
    /// Valid for PCRE but outside this subset.
    case unsupported(String)
}

/// A set of bytes.
struct ClassAdByteSet: Equatable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ClassAdByteSet, b: ClassAdByteSet) -> Bool { a.words == b.words }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) { for byte in range { insert(byte) } }
    mutating func formUnion(_ other: ClassAdByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }
    var inverted: ClassAdByteSet {
        var set = ClassAdByteSet()
        set.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return set
    }

    /// With both cases of every ASCII letter.
    var caseFolded: ClassAdByteSet {
        var set = self
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(byte) || contains(byte + 32) {
            set.insert(byte)
            set.insert(byte + 32)
        }
        return set
    }

    static func of(_ predicate: (UInt8) -> Bool) -> ClassAdByteSet {
        var set = ClassAdByteSet()
        for byte in UInt8(0)...UInt8(255) where predicate(byte) { set.insert(byte) }
        return set
    }

    static func isWord(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
    static let digit = of { $0 >= 0x30 && $0 <= 0x39 }
    static let word = of(isWord)
    /// PCRE2's `\s`: space, \t \n \v \f \r.
    static let space = of { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
    static let all = ClassAdByteSet().inverted
}

/// A parsed regular expression.
indirect enum ClassAdRegexNode: Equatable {
    case bytes(ClassAdByteSet)
    case assertion(ClassAdRegexAssertion)
    case concatenation([ClassAdRegexNode])
    case alternation([ClassAdRegexNode])
    case repetition(ClassAdRegexNode, min: Int, max: Int?)
}

enum ClassAdRegexAssertion: Equatable {
    case start, end, endOrFinalNewline, lineStart, lineEnd, wordBoundary, notWordBoundary
}

/// ClassAd's `regexp()` options: `i` caseless, `m` multi-line, `s` dot-all, `x` extended.
struct ClassAdRegexOptions: Equatable {
    var caseless = false, multiline = false, dotAll = false, extended = false

    init(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "i"): caseless = true
            case UInt8(ascii: "m"): multiline = true
            case UInt8(ascii: "s"): dotAll = true
            case UInt8(ascii: "x"): extended = true
            default: break
            }
        }
    }
}

/// Reads a pattern into a `ClassAdRegexNode`.
struct ClassAdRegexParser {
    static let maximumCount = 1000
    static let maximumNesting = 100

    let pattern: [UInt8]
    let options: ClassAdRegexOptions
    var position = 0
    var nesting = 0

    init(pattern: [UInt8], options: ClassAdRegexOptions) {
        self.pattern = pattern
        self.options = options
    }

    var atEnd: Bool { position >= pattern.count }
    var peek: UInt8? { atEnd ? nil : pattern[position] }

    mutating func parse() throws(ClassAdRegexProblem) -> ClassAdRegexNode {
        let node = try alternation()
        if !atEnd { throw .invalid("unmatched ) at offset \(position)") }
        return node
    }

    mutating func alternation() throws(ClassAdRegexProblem) -> ClassAdRegexNode {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maximumNesting { throw .unsupported("more than \(Self.maximumNesting) nested groups") }
        var branches = [try concatenation()]
        while peek == UInt8(ascii: "|") {
            position += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func skipExtendedSpace() {
        guard options.extended else { return }
        while let byte = peek {
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                position += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = peek, next != 0x0A { _ = next; position += 1 }
            } else {
                return
            }
        }
    }

    mutating func concatenation() throws(ClassAdRegexProblem) -> ClassAdRegexNode {
        var items: [ClassAdRegexNode] = []
        while true {
            skipExtendedSpace()
            guard let byte = peek, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") else { break }
            var atom = try self.atom()
            skipExtendedSpace()
            if let (min, max) = try quantifier() {
                if case .assertion = atom { throw .unsupported("a quantified assertion") }
                atom = .repetition(atom, min: min, max: max)
                skipExtendedSpace()
                if peek == UInt8(ascii: "?") { position += 1 }   // lazy: the same for a yes/no match
                else if peek == UInt8(ascii: "+") { throw .unsupported("possessive quantifier") }
                skipExtendedSpace()
                if let next = peek, next == UInt8(ascii: "*") || next == UInt8(ascii: "+") || next == UInt8(ascii: "?") || startsCount() {
                    throw .invalid("quantifier does not follow a repeatable item at offset \(position)")
                }
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .concatenation(items)
    }

    /// Whether a `{n}`, `{n,}` or `{n,m}` count starts here (otherwise `{` is a literal, as in PCRE).
    func startsCount() -> Bool {
        guard peek == UInt8(ascii: "{") else { return false }
        var index = position + 1
        var digits = 0
        while index < pattern.count, pattern[index] >= 0x30, pattern[index] <= 0x39 { index += 1; digits += 1 }
        if index < pattern.count, pattern[index] == UInt8(ascii: ",") {
            index += 1
            while index < pattern.count, pattern[index] >= 0x30, pattern[index] <= 0x39 { index += 1 }
        }
        return digits > 0 && index < pattern.count && pattern[index] == UInt8(ascii: "}")
    }

    mutating func number() -> Int {
        var value = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39 {
            value = min(value * 10 + Int(byte - 0x30), 1_000_000)
            position += 1
        }
        return value
    }

    mutating func quantifier() throws(ClassAdRegexProblem) -> (Int, Int?)? {
        switch peek {
        case UInt8(ascii: "*"): position += 1; return (0, nil)
        case UInt8(ascii: "+"): position += 1; return (1, nil)
        case UInt8(ascii: "?"): position += 1; return (0, 1)
        case UInt8(ascii: "{"):
            if position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: ",") {
                throw .unsupported("a {,n} count (its meaning depends on the PCRE2 version)")
            }
            guard startsCount() else { return nil }
            position += 1
            let low = number()
            var high: Int? = low
            if peek == UInt8(ascii: ",") {
                position += 1
                high = peek == UInt8(ascii: "}") ? nil : number()
            }
            position += 1   // }
            if low > 65535 || (high ?? 0) > 65535 { throw .invalid("number too big in {} quantifier") }
            if let high, high < low { throw .invalid("numbers out of order in {} quantifier") }
            if low > Self.maximumCount || (high ?? 0) > Self.maximumCount {
                throw .unsupported("a count above \(Self.maximumCount)")
            }
            return (low, high)
        default: return nil
        }
    }

    func folded(_ set: ClassAdByteSet) -> ClassAdByteSet { options.caseless ? set.caseFolded : set }

    mutating func atom() throws(ClassAdRegexProblem) -> ClassAdRegexNode {
        guard let byte = peek else { throw .invalid("pattern ends early") }
        position += 1
        switch byte {
        case UInt8(ascii: "("):
            if peek == UInt8(ascii: "?") {
                guard position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: ":") else {
                    throw .unsupported("the group (?\(position + 1 < pattern.count ? String(decoding: [pattern[position + 1]], as: UTF8.self) : "")…)")
                }
                position += 2
            }
            let inner = try alternation()
            guard peek == UInt8(ascii: ")") else { throw .invalid("missing )") }
            position += 1
            return inner
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            throw .invalid("quantifier does not follow a repeatable item at offset \(position - 1)")
        case UInt8(ascii: "{") where !isLiteralBrace():
            throw .invalid("quantifier does not follow a repeatable item at offset \(position - 1)")
        case UInt8(ascii: "."):
            var set = ClassAdByteSet.all
            if !options.dotAll { set = ClassAdByteSet.of { $0 != 0x0A } }
            return .bytes(set)
        case UInt8(ascii: "^"): return .assertion(options.multiline ? .lineStart : .start)
        case UInt8(ascii: "$"): return .assertion(options.multiline ? .lineEnd : .endOrFinalNewline)
        case UInt8(ascii: "["): return .bytes(try characterClass())
        case UInt8(ascii: "\\"): return try escape()
        default:
            var set = ClassAdByteSet()
            set.insert(byte)
            return .bytes(folded(set))
        }
    }

    /// `{` just read: a literal unless a count starts there.
    mutating func isLiteralBrace() -> Bool {
        position -= 1
        defer { position += 1 }
        return !startsCount()
    }

    mutating func escape() throws(ClassAdRegexProblem) -> ClassAdRegexNode {
        guard let byte = peek else { throw .invalid("\\ at end of pattern") }
        switch byte {
        case UInt8(ascii: "A"): position += 1; return .assertion(.start)
        case UInt8(ascii: "z"): position += 1; return .assertion(.end)
        case UInt8(ascii: "Z"): position += 1; return .assertion(.endOrFinalNewline)
        case UInt8(ascii: "b"): position += 1; return .assertion(.wordBoundary)
        case UInt8(ascii: "B"): position += 1; return .assertion(.notWordBoundary)
        default: return .bytes(try escapedSet(inClass: false))
        }
    }

    /// The bytes an escape (after `\`) stands for, in or out of a class.
    mutating func escapedSet(inClass: Bool) throws(ClassAdRegexProblem) -> ClassAdByteSet {
        guard let byte = peek else { throw .invalid("\\ at end of pattern") }
        position += 1
        var set = ClassAdByteSet()
        switch byte {
        case UInt8(ascii: "d"): return .digit
        case UInt8(ascii: "D"): return ClassAdByteSet.digit.inverted
        case UInt8(ascii: "w"): return .word
        case UInt8(ascii: "W"): return ClassAdByteSet.word.inverted
        case UInt8(ascii: "s"): return .space
        case UInt8(ascii: "S"): return ClassAdByteSet.space.inverted
        case UInt8(ascii: "n"): set.insert(0x0A)
        case UInt8(ascii: "t"): set.insert(0x09)
        case UInt8(ascii: "r"): set.insert(0x0D)
        case UInt8(ascii: "f"): set.insert(0x0C)
        case UInt8(ascii: "e"): set.insert(0x1B)
        case UInt8(ascii: "a"): set.insert(0x07)
        case UInt8(ascii: "b") where inClass: set.insert(0x08)
        case UInt8(ascii: "x"):
            if peek == UInt8(ascii: "{") { throw .unsupported("\\x{…}") }
            var value = 0
            var digits = 0
            while digits < 2, let next = peek, let digit = Self.hexValue(next) {
                value = value * 16 + digit
                digits += 1
                position += 1
            }
            set.insert(UInt8(truncatingIfNeeded: value))
        case UInt8(ascii: "0"):
            var value = 0
            var digits = 0
            while digits < 2, let next = peek, next >= 0x30, next <= 0x37 {
                value = value * 8 + Int(next - 0x30)
                digits += 1
                position += 1
            }
            set.insert(UInt8(truncatingIfNeeded: value))
        case UInt8(ascii: "1")...UInt8(ascii: "9"): throw .unsupported("back-reference or octal escape \\\(Character(Unicode.Scalar(byte)))")
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            // \p \P \Q \E \h \H \v \V \R \K \G \N \X \C \g \k \c \o \u \U \l \L \i \j \m \q \y …: PCRE knows some, not all.
            throw .unsupported("the escape \\\(Character(Unicode.Scalar(byte)))")
        default: set.insert(byte)   // escaped punctuation (and bytes ≥ 0x80) stand for themselves
        }
        return folded(set)
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    static let posixClasses: [String: ClassAdByteSet] = [
        "alpha": .of { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) },
        "digit": .digit,
        "alnum": .of { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) },
        "upper": .of { $0 >= 0x41 && $0 <= 0x5A },
        "lower": .of { $0 >= 0x61 && $0 <= 0x7A },
        "space": .space,
        "blank": .of { $0 == 0x20 || $0 == 0x09 },
        "punct": .of { ($0 >= 0x21 && $0 <= 0x2F) || ($0 >= 0x3A && $0 <= 0x40) || ($0 >= 0x5B && $0 <= 0x60) || ($0 >= 0x7B && $0 <= 0x7E) },
        "xdigit": .of { hexValue($0) != nil },
        "word": .word,
        "cntrl": .of { $0 < 0x20 || $0 == 0x7F },
        "graph": .of { $0 >= 0x21 && $0 <= 0x7E },
        "print": .of { $0 >= 0x20 && $0 <= 0x7E },
        "ascii": .of { $0 < 0x80 },
    ]

    /// After `[`: the class up to its `]`.
    mutating func characterClass() throws(ClassAdRegexProblem) -> ClassAdByteSet {
        var negated = false
        if peek == UInt8(ascii: "^") { negated = true; position += 1 }
        var set = ClassAdByteSet()
        var first = true
        while true {
            guard let byte = peek else { throw .invalid("missing terminating ] for character class") }
            if byte == UInt8(ascii: "]") && !first { position += 1; break }
            first = false
            // POSIX [:name:]
            if byte == UInt8(ascii: "["), position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: ":") {
                var end = position + 2
                while end + 1 < pattern.count, !(pattern[end] == UInt8(ascii: ":") && pattern[end + 1] == UInt8(ascii: "]")) { end += 1 }
                if end + 1 < pattern.count {
                    var name = String(decoding: pattern[(position + 2)..<end], as: UTF8.self)
                    let inverted = name.hasPrefix("^")
                    if inverted { name.removeFirst() }
                    guard let named = Self.posixClasses[name] else { throw .invalid("unknown POSIX class name [:\(name):]") }
                    set.formUnion(inverted ? named.inverted : named)
                    position = end + 2
                    continue
                }
            }
            if byte == UInt8(ascii: "["), position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: ".") || pattern[position + 1] == UInt8(ascii: "=") {
                throw .unsupported("POSIX collating elements in a class")
            }
            let low: UInt8
            if byte == UInt8(ascii: "\\") {
                position += 1
                let escaped = try escapedSet(inClass: true)
                // A single byte may start a range; a class escape (\d…) may not.
                guard let single = Self.single(escaped, caseless: options.caseless) else { set.formUnion(escaped); continue }
                low = single
            } else {
                low = byte
                position += 1
            }
            // A range low-high (a '-' before ']' is literal).
            if peek == UInt8(ascii: "-"), position + 1 < pattern.count, pattern[position + 1] != UInt8(ascii: "]") {
                position += 1
                guard let highByte = peek else { throw .invalid("missing terminating ] for character class") }
                let high: UInt8
                if highByte == UInt8(ascii: "\\") {
                    position += 1
                    let escaped = try escapedSet(inClass: true)
                    guard let single = Self.single(escaped, caseless: options.caseless) else {
                        throw .invalid("invalid range in character class")
                    }
                    high = single
                } else if highByte == UInt8(ascii: "["), position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: ":") {
                    throw .invalid("invalid range in character class")
                } else {
                    high = highByte
                    position += 1
                }
                guard low <= high else { throw .invalid("range out of order in character class") }
                set.insert(low...high)
            } else {
                set.insert(low)
            }
        }
        set = folded(set)
        return negated ? set.inverted : set
    }

    /// The one byte of a set (its lower-case letter when case-folded), or nil for a class.
    static func single(_ set: ClassAdByteSet, caseless: Bool) -> UInt8? {
        var found: [UInt8] = []
        for byte in UInt8(0)...UInt8(255) where set.contains(byte) {
            found.append(byte)
            if found.count > 2 { return nil }
        }
        if found.count == 1 { return found[0] }
        if caseless, found.count == 2, found[0] >= 0x41, found[0] <= 0x5A, found[1] == found[0] + 32 { return found[1] }
        return nil
    }
}
