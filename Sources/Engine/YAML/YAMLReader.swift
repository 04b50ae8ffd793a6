internal import CYAML

/// Composes YAML text (one document) into a ``YAMLNode`` with libyaml's event parser, the way Yams' `compose(yaml:)`
/// did: anchors and aliases resolved, a repeated key refused, a second document refused, errors with libyaml's text
/// and line. Hostile input is bounded: at most ``maximumNodes`` nodes (aliases count the nodes they repeat) and
/// ``maximumDepth`` levels of nesting (the limit and the message of the libyaml Yams carried).
public enum YAMLReader {
    public static let maximumNodes = 100_000
    public static let maximumDepth = 1000

    /// The document's root node, or nil for a text with no document (empty, or only comments).
    public static func compose(yaml: String) throws(YAMLError) -> YAMLNode? {
        // An empty text is an empty stream (and has no bytes to point libyaml at).
        guard !yaml.isEmpty else { return nil }
        var text = yaml
        let result: Result<YAMLNode?, YAMLError> = text.withUTF8 { bytes in
            let composer = Composer(text: yaml, bytes: bytes)
            defer { composer.close() }
            return Result { () throws(YAMLError) -> YAMLNode? in try composer.singleRoot() }
        }
        return try result.get()
    }
}

/// One parse: libyaml's parser over the bytes, the anchors seen so far, the node budget.
private final class Composer {
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let text: String
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    private var weight = 0

    init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
    }

    func close() {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// Yams' `singleRoot()`: the stream start, then nothing or one document, then the stream end.
    func singleRoot() throws(YAMLError) -> YAMLNode? {
        _ = try next()  // STREAM-START
        guard try next().type != YAML_STREAM_END_EVENT else { return nil }  // DOCUMENT-START
        let root: YAMLNode
        do {
            root = try node(from: try next())
        } catch let limit where limit.isLimit {
            // Yams had no limits: a syntax error further on is what it reported, so libyaml reads on (without
            // building anything) and its error wins; a text that is valid YAML gets the limit's error.
            while try next().type != YAML_STREAM_END_EVENT {}
            throw limit
        }
        _ = try next()  // DOCUMENT-END
        let end = try next()
        guard end.type == YAML_STREAM_END_EVENT else {
            throw YAMLError(line: end.mark.line, summary: "but found another document")
        }
        return root
    }

    /// An open collection: its start event, what it holds so far, the node budget when it opened.
    private enum Open {
        case sequence(Event, [YAMLNode], start: Int)
        case mapping(Event, [(YAMLNode, YAMLNode)], key: YAMLNode?, start: Int)
    }

    /// The node `event` starts, read with a stack of open collections rather than by recursion (a deep document
    /// must not exhaust the thread's stack, whatever the build's frame sizes).
    private func node(from first: Event) throws(YAMLError) -> YAMLNode {
        var open: [Open] = []
        var event = first
        while true {
            var done: YAMLNode?
            switch event.type {
            case YAML_SEQUENCE_END_EVENT:
                guard case .sequence(let start, let items, let budget)? = open.popLast() else { throw Self.unexpected(event) }
                let node = YAMLNode.sequence(.init(items, start.tag.map(YAMLNode.Tag.init) ?? .implicit, start.mark))
                register(start.anchor, node, weight: weight - budget + 1)
                done = node
            case YAML_MAPPING_END_EVENT:
                guard case .mapping(let start, let pairs, _, let budget)? = open.popLast() else { throw Self.unexpected(event) }
                try Self.checkDuplicates(pairs.map(\.0))
                let node = YAMLNode.mapping(.init(pairs, start.tag.map(YAMLNode.Tag.init) ?? .implicit, start.mark))
                register(start.anchor, node, weight: weight - budget + 1)
                done = node
            default:
                guard open.count < YAMLReader.maximumDepth else {
                    // Yams' own copy of libyaml stopped at 1000 levels with this text (Debian's libyaml has no such limit).
                    throw YAMLError(line: event.mark.line,
                                    summary: "Maximum nesting level reached, set with yaml_set_max_nest_level())", isLimit: true)
                }
                switch event.type {
                case YAML_ALIAS_EVENT:
                    guard let anchor = event.anchor, let target = anchors[anchor] else {
                        throw YAMLError(line: event.mark.line, summary: "found undefined alias")
                    }
                    try count(target.weight, at: event)
                    done = target.node
                case YAML_SCALAR_EVENT:
                    try count(1, at: event)
                    let node = YAMLNode.scalar(.init(event.value, event.tag.map(YAMLNode.Tag.init) ?? .implicit,
                                                     YAMLNode.Style(rawValue: event.style) ?? .any, event.mark))
                    register(event.anchor, node, weight: 1)
                    done = node
                case YAML_SEQUENCE_START_EVENT:
                    try count(1, at: event)
                    open.append(.sequence(event, [], start: weight))
                case YAML_MAPPING_START_EVENT:
                    try count(1, at: event)
                    open.append(.mapping(event, [], key: nil, start: weight))
                default:
                    throw Self.unexpected(event)
                }
            }
            if let node = done {
                switch open.popLast() {
                case nil:
                    return node
                case .sequence(let start, var items, let budget)?:
                    items.append(node)
                    open.append(.sequence(start, items, start: budget))
                case .mapping(let start, var pairs, let key, let budget)?:
                    if let key {
                        pairs.append((key, node))
                        open.append(.mapping(start, pairs, key: nil, start: budget))
                    } else {
                        open.append(.mapping(start, pairs, key: node, start: budget))
                    }
                }
            }
            event = try next()
        }
    }

    /// libyaml's grammar puts only nodes and the ends of open collections here.
    private static func unexpected(_ event: Event) -> YAMLError {
        YAMLError(line: event.mark.line, summary: "unexpected event")
    }

    private func count(_ nodes: Int, at event: Event) throws(YAMLError) {
        weight += nodes
        guard weight <= YAMLReader.maximumNodes else {
            throw YAMLError(line: event.mark.line, summary: "more than \(YAMLReader.maximumNodes) nodes", isLimit: true)
        }
    }

    private func register(_ anchor: String?, _ node: YAMLNode, weight: Int) {
        if let anchor { anchors[anchor] = (node, weight) }
    }

    /// Yams refused a mapping whose keys repeat (same text, same resolved tag), naming them sorted.
    private static func checkDuplicates(_ keys: [YAMLNode]) throws(YAMLError) {
        guard keys.count > 1 else { return }
        let resolving = keys.contains { key in
            if case .scalar(let scalar) = key { return scalar.tag != .implicit }
            return true
        }
        var seen: [String: Int] = [:]
        var repeated: [YAMLNode] = []
        for key in keys {
            let identity = key.identity(resolving: resolving)
            seen[identity, default: 0] += 1
            if seen[identity] == 2 { repeated.append(key) }
        }
        guard !repeated.isEmpty else { return }
        let names = repeated.sorted { lhs, rhs in
            guard let left = lhs.scalar, let right = rhs.scalar else { return false }
            return left.string < right.string
        }.map { $0.scalar?.string ?? "<uncovertable>" }
        throw YAMLError(line: nil, summary: "a key appears twice (\(names.joined(separator: ", "))); keep one")
    }

    /// The next event, copied out of libyaml's.
    private func next() throws(YAMLError) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else { throw failure() }
        defer { yaml_event_delete(&raw) }
        var event = Event(type: raw.type, mark: YAMLNode.Mark(line: Int(raw.start_mark.line) + 1,
                                                              column: Int(raw.start_mark.column) + 1))
        switch raw.type {
        case YAML_ALIAS_EVENT:
            event.anchor = Self.string(raw.data.alias.anchor)
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            event.anchor = Self.string(scalar.anchor)
            event.tag = scalar.quoted_implicit == 1 ? YAMLNode.Tag.str.name : Self.string(scalar.tag)
            event.value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            event.style = scalar.style.rawValue
        case YAML_SEQUENCE_START_EVENT:
            let start = raw.data.sequence_start
            event.anchor = Self.string(start.anchor)
            event.tag = start.implicit != 0 ? nil : Self.string(start.tag)
        case YAML_MAPPING_START_EVENT:
            let start = raw.data.mapping_start
            event.anchor = Self.string(start.anchor)
            event.tag = start.implicit != 0 ? nil : Self.string(start.tag)
        default:
            break
        }
        return event
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }

    /// The parser's error as Yams worded it (its `YamlError`, then the daemon's summary of it).
    private func failure() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(line: nil, summary: "Memory error")
        case YAML_READER_ERROR:
            return .reader(problem: problem, byteOffset: Int(state.problem_offset), value: state.problem_value, in: text)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            return YAMLError(line: Int(state.problem_mark.line) + 1, summary: problem)
        default:
            return YAMLError(line: nil, summary: problem)
        }
    }
}

/// What the composer needs of one libyaml event.
private struct Event {
    var type: yaml_event_type_t
    var mark: YAMLNode.Mark
    var anchor: String?
    var tag: String?
    var value = ""
    var style: UInt32 = 0
}
