/// The tag a node resolves to (Yams' default resolver), and the identity of mapping keys: two keys are the same key
/// when they resolve to the same tag and hold the same text (or the same items), as Yams compared them.
extension YAMLNode {
    /// The rules of Yams' default resolver, in its order; a plain scalar no rule matches is a string.
    nonisolated(unsafe) private static let rules: [(Tag, Regex<AnyRegexOutput>)] = [
        (.bool, #"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"#),
        (.int, #"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"#),
        (.float, #"[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"#),
        (Tag("tag:yaml.org,2002:merge"), #"<<"#),
        (.null, #"~|null|Null|NULL|"#),
        (Tag("tag:yaml.org,2002:timestamp"), #"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"#),
        (Tag("tag:yaml.org,2002:value"), #"="#),
    ].map { tag, pattern in
        // The patterns are constants: a failure here is a programming error caught by any test that parses YAML.
        (tag, try! Regex("^(?:" + pattern + ")$"))
    }

    /// The tag of a plain scalar with no tag of its own.
    static func resolve(_ text: String) -> Tag {
        for (tag, regex) in rules where (try? regex.wholeMatch(in: text)) != nil { return tag }
        return .str
    }

    /// The node's tag after resolution (`!` and no tag become the kind's default, plain scalars go by their text).
    public var resolvedTag: Tag {
        switch self {
        case .scalar(let scalar):
            if scalar.tag == .implicit { return Self.resolve(scalar.string) }
            return scalar.tag == .nonSpecific ? .str : scalar.tag
        case .mapping(let mapping):
            return mapping.tag == .implicit || mapping.tag == .nonSpecific ? .map : mapping.tag
        case .sequence(let list):
            return list.tag == .implicit || list.tag == .nonSpecific ? .seq : list.tag
        }
    }

    /// A text that is equal for equal keys. `resolving` false compares scalars by text only (right when no key of
    /// the mapping has a tag of its own: equal texts then resolve alike).
    func identity(resolving: Bool) -> String {
        switch self {
        case .scalar(let scalar):
            let tag = resolving ? resolvedTag.name : ""
            return "s\(tag.utf8.count):\(tag)\(scalar.string.utf8.count):\(scalar.string)"
        case .sequence(let list):
            return "q\(resolvedTag.name.utf8.count):\(resolvedTag.name)[" + list.items.map { $0.identity(resolving: true) + "," }.joined() + "]"
        case .mapping(let mapping):
            let pairs = mapping.pairs.map { $0.key.identity(resolving: true) + "=" + $0.value.identity(resolving: true) }
            return "m\(resolvedTag.name.utf8.count):\(resolvedTag.name){" + pairs.map { $0 + "," }.joined() + "}"
        }
    }
}
