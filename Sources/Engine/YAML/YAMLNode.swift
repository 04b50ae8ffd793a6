/// A composed YAML node: what ``YAMLReader`` builds from a fragment and ``FragmentReader`` reads (aliases are
/// replaced by the node they name, as Yams composed them).
public enum YAMLNode: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(List)

    /// Where a node starts in its text (1-based).
    public struct Mark: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    /// A node's tag as libyaml reports it (`!!str` is `tag:yaml.org,2002:str`); empty when the text has none.
    public struct Tag: Sendable, Hashable {
        public var name: String
        public init(_ name: String) { self.name = name }

        public static let implicit = Tag("")
        public static let nonSpecific = Tag("!")
        public static let str = Tag("tag:yaml.org,2002:str")
        public static let int = Tag("tag:yaml.org,2002:int")
        public static let float = Tag("tag:yaml.org,2002:float")
        public static let bool = Tag("tag:yaml.org,2002:bool")
        public static let null = Tag("tag:yaml.org,2002:null")
        public static let seq = Tag("tag:yaml.org,2002:seq")
        public static let map = Tag("tag:yaml.org,2002:map")
    }

    /// A scalar's style (libyaml's `yaml_scalar_style_t`, same order).
    public enum Style: UInt32, Sendable {
        case any = 0, plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// A text value. Quoted and block scalars carry the `str` tag (libyaml's `quoted_implicit`), as in Yams.
    public struct Scalar: Sendable {
        public var string: String
        public var tag: Tag
        public var style: Style
        public var mark: Mark?
        public init(_ string: String, _ tag: Tag = .implicit, _ style: Style = .any, _ mark: Mark? = nil) {
            self.string = string
            self.tag = tag
            self.style = style
            self.mark = mark
        }
    }

    /// Key-value pairs in the order written.
    public struct Mapping: Sendable, Sequence {
        public var pairs: [(key: YAMLNode, value: YAMLNode)]
        public var tag: Tag
        public var mark: Mark?
        public init(_ pairs: [(YAMLNode, YAMLNode)], _ tag: Tag = .implicit, _ mark: Mark? = nil) {
            self.pairs = pairs.map { (key: $0.0, value: $0.1) }
            self.tag = tag
            self.mark = mark
        }
        public func makeIterator() -> IndexingIterator<[(key: YAMLNode, value: YAMLNode)]> { pairs.makeIterator() }
    }

    /// Items in order.
    public struct List: Sendable, Sequence {
        public var items: [YAMLNode]
        public var tag: Tag
        public var mark: Mark?
        public init(_ items: [YAMLNode], _ tag: Tag = .implicit, _ mark: Mark? = nil) {
            self.items = items
            self.tag = tag
            self.mark = mark
        }
        public func makeIterator() -> IndexingIterator<[YAMLNode]> { items.makeIterator() }
    }

    /// A plain-text scalar with no tag (a key, as Yams' `Node("name")`).
    public init(_ string: String, _ tag: Tag = .implicit, _ style: Style = .any) {
        self = .scalar(Scalar(string, tag, style))
    }

    /// The scalar, if this is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// Where the node starts, if it came from text.
    public var mark: Mark? {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let list): list.mark
        }
    }
}
