/// One key of a configuration table, declared once: its type and unit, allowed range, default,
/// meaning and when it is read. The loaders read a key by name through `SectionReader`, which takes
/// the unit, range and default from here; the generated key reference (`KeyReference`) and the
/// "not used by this run" warnings (`ConfigRecord`) come from the same entry.
public struct KeySpec: Sendable {
    /// What a key's value is.
    public enum Value: Sendable {
        /// A number in SI units, or a string with units ("20 um").
        case quantity(Dimension)
        /// An array of such values.
        case quantities(Dimension)
        case integer
        case string
        /// A file name, relative to the configuration's directory unless stated otherwise.
        case path
        /// One of these strings.
        case choice([String])
        case boolean
        /// Read by dedicated code; the words say what it is ("array of integers").
        case other(String)
    }

    public var name: String
    public var value: Value
    public var range: AllowedRange?
    /// The default, in SI units; nil when the key is required or its default depends on other keys.
    public var defaultValue: TOMLValue?
    /// The default in words when it depends on other keys ("results/<config name>.h5").
    public var defaultText: String?
    /// What the key means (one line, units in the type).
    public var doc: String
    /// The values of the table's `kind` that read this key; nil: every kind.
    public var kinds: [String]?
    /// Where values of this key plausibly lie (SI) and that range in words ("0.1 µm to 1 cm"): a
    /// value outside is allowed but warned about (a bare number read as metres, a unit slip).
    public var plausible: (range: ClosedRange<Double>, words: String)?

    public init(_ name: String, _ value: Value, range: AllowedRange? = nil, default defaultValue: TOMLValue? = nil,
                defaultText: String? = nil, kinds: [String]? = nil, _ doc: String) {
        self.name = name
        self.value = value
        self.range = range
        self.defaultValue = defaultValue
        self.defaultText = defaultText
        self.kinds = kinds
        self.doc = doc
    }

    /// A physical value with its dimension.
    public static func quantity(_ name: String, _ dimension: Dimension, _ range: AllowedRange?, default value: Double? = nil,
                                defaultText: String? = nil, kinds: [String]? = nil, _ doc: String) -> KeySpec {
        KeySpec(name, .quantity(dimension), range: range, default: value.map { TOMLValue(.float($0)) },
                defaultText: defaultText, kinds: kinds, doc)
    }

    /// An array of physical values, each in `range`.
    public static func quantities(_ name: String, _ dimension: Dimension, _ range: AllowedRange?, kinds: [String]? = nil,
                                  _ doc: String) -> KeySpec {
        KeySpec(name, .quantities(dimension), range: range, kinds: kinds, doc)
    }

    /// An integer in `minimum…maximum`.
    public static func integer(_ name: String, atLeast minimum: Int64, atMost maximum: Int64? = nil, default value: Int? = nil,
                               defaultText: String? = nil, _ doc: String) -> KeySpec {
        KeySpec(name, .integer, range: AllowedRange(lower: Double(minimum), lowerInclusive: true, upper: maximum.map(Double.init),
                                                   upperInclusive: true),
                default: value.map { TOMLValue(.integer(Int64($0))) }, defaultText: defaultText, doc)
    }

    public static func string(_ name: String, default value: String? = nil, defaultText: String? = nil, kinds: [String]? = nil,
                              _ doc: String) -> KeySpec {
        KeySpec(name, .string, default: value.map { TOMLValue(.string($0)) }, defaultText: defaultText, kinds: kinds, doc)
    }

    public static func path(_ name: String, default value: String? = nil, defaultText: String? = nil, kinds: [String]? = nil,
                            _ doc: String) -> KeySpec {
        KeySpec(name, .path, default: value.map { TOMLValue(.string($0)) }, defaultText: defaultText, kinds: kinds, doc)
    }

    /// One of the raw values of `T` (or of `only`).
    public static func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, default value: T? = nil,
                                                                  defaultText: String? = nil, only: [T]? = nil, _ doc: String)
        -> KeySpec where T.RawValue == String {
        KeySpec(name, .choice((only ?? Array(T.allCases)).map(\.rawValue)), default: value.map { TOMLValue(.string($0.rawValue)) },
                defaultText: defaultText, doc)
    }

    public static func boolean(_ name: String, default value: Bool, _ doc: String) -> KeySpec {
        KeySpec(name, .boolean, default: TOMLValue(.boolean(value)), doc)
    }

    public static func other(_ name: String, _ what: String, default value: TOMLValue? = nil, defaultText: String? = nil,
                             kinds: [String]? = nil, _ doc: String) -> KeySpec {
        KeySpec(name, .other(what), default: value, defaultText: defaultText, kinds: kinds, doc)
    }

    /// This key with a plausible range (`plausible`).
    public func plausible(_ range: ClosedRange<Double>, _ words: String) -> KeySpec {
        var k = self
        k.plausible = (range, words)
        return k
    }

    /// The type in words, for the key reference ("a length (m)", "one of \"central\", \"upwind\"").
    public var typeDescription: String {
        switch value {
        case .quantity(let d): return d == .dimensionless ? "number" : d.phrase
        case .quantities(let d): return d == .dimensionless ? "array of numbers" : "array, each \(d.phrase)"
        case .integer: return "integer"
        case .string: return "string"
        case .path: return "file name"
        case .choice(let values): return "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        case .boolean: return "true or false"
        case .other(let what): return what
        }
    }

    /// The default in words: its value, `defaultText`, or "required".
    public var defaultDescription: String {
        if let defaultText { return defaultText }
        if let defaultValue { return TOMLSerializer.inline(defaultValue) }
        return "required"
    }
}
