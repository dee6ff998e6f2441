import Foundation

/// Root attributes of every TissueTransport file (DESIGN §5): what the file is, which
/// program wrote it, from which configuration and random seed.
public struct FileHeader: Sendable, Equatable {
    public static let format = "tissue-transport"
    public static let formatVersion = 1

    /// Kind of file: "upscaled", "dns-tissue", "training-set", "model", "average", "comparison".
    public var kind: String
    public var programVersion: String
    /// The resolved configuration (TOML text), stored verbatim.
    public var config: String
    public var seed: UInt64
    /// Creation time as stored (ISO 8601 UTC); nil until written or read.
    public internal(set) var createdUTC: String?
    /// The file this header was read from ("" when built in memory).
    public internal(set) var sourcePath: String = ""

    public init(kind: String, programVersion: String, config: String, seed: UInt64) {
        self.kind = kind
        self.programVersion = programVersion
        self.config = config
        self.seed = seed
    }

    /// Writes format, format_version, kind, program_version, created_utc (now), config,
    /// config_sha256 and seed (int64) as root attributes.
    public func write(to file: HDF5File) throws {
        let root = file.root
        try root.setAttribute("format", Self.format)
        try root.setAttribute("format_version", Self.formatVersion)
        try root.setAttribute("kind", kind)
        try root.setAttribute("program_version", programVersion)
        try root.setAttribute("created_utc", Self.utcTimestamp(Date()))
        try root.setAttribute("config", config)
        try root.setAttribute("config_sha256", SHA256.hex(config))
        try root.setAttribute("seed", Int(Int64(bitPattern: seed)))
    }

    /// Reads the root attributes and checks that the file is a TissueTransport file of a
    /// format version this program understands, and that `config` matches its checksum.
    public static func read(from file: HDF5File) throws -> FileHeader {
        let root = file.root
        let format = root.hasAttribute("format") ? try root.stringAttribute("format") : nil
        guard let format else {
            throw HDF5Error(file: file.path, message: "not a TissueTransport file (no 'format' attribute)")
        }
        guard format == Self.format else {
            throw HDF5Error(file: file.path, message: "not a TissueTransport file (format is '\(format)')")
        }
        let version = try root.intAttribute("format_version")
        guard version <= Self.formatVersion else {
            throw HDF5Error(file: file.path, message:
                "format_version \(version) is newer than this program reads (\(Self.formatVersion))")
        }
        var header = FileHeader(kind: try root.stringAttribute("kind"),
                                programVersion: try root.stringAttribute("program_version"),
                                config: try root.stringAttribute("config"),
                                seed: try readSeed(root))
        header.createdUTC = root.hasAttribute("created_utc") ? try root.stringAttribute("created_utc") : nil
        header.sourcePath = file.path
        if root.hasAttribute("config_sha256") {
            let stored = try root.stringAttribute("config_sha256").lowercased()
            guard stored == SHA256.hex(header.config) else {
                throw HDF5Error(file: file.path, message: "config_sha256 does not match the stored config")
            }
        }
        return header
    }

    /// Reads the header and checks its kind (see `expectKind(_:hint:)`): the one kind check of
    /// every reader.
    @discardableResult
    public static func read(from file: HDF5File, expecting kind: String, hint: String? = nil) throws -> FileHeader {
        let header = try read(from: file)
        try header.expectKind(kind, hint: hint)
        return header
    }

    /// Throws "file is a 'model' file, expected an 'upscaled' file (hint)" unless `kind` matches;
    /// `hint` says how to make the expected kind.
    public func expectKind(_ expected: String, hint: String? = nil) throws {
        guard kind == expected else {
            let article = "aeiou".contains(expected.first ?? "x") ? "an" : "a"
            throw HDF5Error(file: sourcePath,
                            message: "file is a '\(kind)' file, expected \(article) '\(expected)' file" + (hint.map { " (\($0))" } ?? ""))
        }
    }

    /// Seed stored as int64 (ours) or uint64 (numpy), returned with its 64 bits intact.
    private static func readSeed(_ root: HDF5Group) throws -> UInt64 {
        switch try root.attributeType("seed") {
        case .uint64, .uint32, .uint16, .uint8:
            let values = try root.numberAttribute("seed", as: UInt64.self, accept: { _ in true }, expected: "an integer")
            guard values.count == 1 else { throw root.object.loc.error("attribute 'seed': expected one integer") }
            return values[0]
        default:
            return UInt64(bitPattern: Int64(try root.intAttribute("seed")))
        }
    }

    /// "2026-11-23T13:45:00Z"
    static func utcTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
