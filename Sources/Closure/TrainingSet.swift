import Foundation
import HDF5Kit

/// Rows of (features, η) for training and evaluating the closure network, with the
/// realisation and flow domain every row came from (rows of one realisation are correlated,
/// so splits are made by realisation).
///
/// File kind `training-set` (DESIGN §5): `/samples/features` (N × 6), `/samples/feature_names`,
/// `/samples/eta` (N), `/samples/inputs` (N × 5: r, phi2, PL, Dr, cL), `/samples/realization`,
/// `/samples/domain`.
public struct TrainingSet: Sendable, Equatable {
    public static let kind = "training-set"
    /// Names of the columns of `inputs`.
    public static let inputNames = ["r", "phi2", "PL", "Dr", "cL"]

    /// Row-major N × 6 in `EffectivenessFeature` order.
    public var features: [Double]
    public var eta: [Double]
    public var realization: [Int]
    public var domain: [Int]
    /// Microscale inputs per row (N × 5), if known (NaN where not).
    public var inputs: [Double]
    /// Where the rows came from (file path).
    public var source: String

    public var count: Int { eta.count }
    public static var width: Int { EffectivenessFeature.count }

    public init(features: [Double], eta: [Double], realization: [Int], domain: [Int], inputs: [Double]? = nil,
                source: String) throws {
        let n = eta.count
        guard features.count == n * Self.width, realization.count == n, domain.count == n else {
            throw TrainingSetError(file: source, message: "inconsistent sizes: \(features.count) feature values, \(n) η, \(realization.count) realisations, \(domain.count) domains")
        }
        self.features = features
        self.eta = eta
        self.realization = realization
        self.domain = domain
        self.inputs = inputs ?? [Double](repeating: .nan, count: n * Self.inputNames.count)
        self.source = source
        try validate()
    }

    /// Rejects NaN/Inf anywhere and η ≤ 0 or η > 1.5, naming the first bad row (1-based).
    func validate() throws {
        for i in 0..<count {
            for k in 0..<Self.width where !features[i * Self.width + k].isFinite {
                throw TrainingSetError(file: source, message: "row \(i + 1): feature \(EffectivenessFeature(rawValue: k)!.name) is \(features[i * Self.width + k])")
            }
            guard eta[i].isFinite else { throw TrainingSetError(file: source, message: "row \(i + 1): η is \(eta[i])") }
            guard eta[i] > 0 && eta[i] <= 1.5 else {
                throw TrainingSetError(file: source, message: "row \(i + 1): η = \(eta[i]) is outside (0, 1.5]")
            }
        }
    }

    /// SHA-256 over features and η (little-endian doubles): identifies the data a model saw.
    public var sha256: String {
        var h = SHA256.Hasher()
        h.update(contentsOf: features)
        h.update(contentsOf: eta)
        return h.finalizeHex()
    }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> TrainingSet {
        let w = Self.width, m = Self.inputNames.count
        var s = self
        s.features = indices.flatMap { features[($0 * w)..<($0 * w + w)] }
        s.eta = indices.map { eta[$0] }
        s.realization = indices.map { realization[$0] }
        s.domain = indices.map { domain[$0] }
        s.inputs = indices.flatMap { inputs[($0 * m)..<($0 * m + m)] }
        return s
    }

    /// The rows of `sets` in order, as one set. Realisation indices of each set are shifted past
    /// those of the sets before it by a multiple of 5, so realisations stay distinct and each keeps
    /// its own test split (`RealizationSplit`: index % 5 == 4). `source` joins the sources with " + ".
    public static func concatenated(_ sets: [TrainingSet]) throws -> TrainingSet {
        guard let first = sets.first else { throw TrainingSetError(file: "", message: "no training data given") }
        if sets.count == 1 { return first }
        var out = first
        out.source = sets.map(\.source).joined(separator: " + ")
        var offset = 0
        for (k, set) in sets.enumerated() {
            if let low = set.realization.min(), low < 0 {
                throw TrainingSetError(file: set.source, message: "realisation index \(low) < 0: cannot be joined with other files")
            }
            if k > 0 {
                out.features += set.features
                out.eta += set.eta
                out.realization += set.realization.map { $0 + offset }
                out.domain += set.domain
                out.inputs += set.inputs
            }
            let end = offset + (set.realization.max() ?? -1) + 1
            offset = (end + 4) / 5 * 5
        }
        return out
    }

    /// Feature columns `selected` (in the given order) as a row-major N × selected.count table.
    public func featureColumns(_ selected: [EffectivenessFeature]) -> [Double] {
        var out = [Double](repeating: 0, count: count * selected.count)
        for i in 0..<count {
            for (j, f) in selected.enumerated() { out[i * selected.count + j] = features[i * Self.width + f.rawValue] }
        }
        return out
    }
}

/// A problem with a training-set file, naming the file.
public struct TrainingSetError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}

extension TrainingSet {
    /// Reads the reference training table (`learning_parameters_6features_1target_…csv`):
    /// header `por,phi2,Pe,Dr,c_f_avg_norm,d_f_c_avg_norm,eta_d_f`, then N = 4 M rows: flow
    /// domains 2–5 of M realisations stacked in domain order (row k + j M is domain 2 + j of
    /// realisation k).
    public static func readReferenceCSV(path: String) throws -> TrainingSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingSetError(file: path, message: "cannot read the file (missing or unreadable)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
        lines.removeAll { $0.isEmpty }
        guard let header = lines.first else { throw TrainingSetError(file: path, message: "the file is empty") }
        let expected = EffectivenessFeature.allCases.map(\.referenceColumn) + ["eta_d_f"]
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard columns == expected else {
            let missing = expected.filter { !columns.contains($0) }, extra = columns.filter { !expected.contains($0) }
            throw TrainingSetError(file: path, message: "line 1: header \(columns) does not match the reference table \(expected)"
                + (missing.isEmpty ? "" : "; missing \(missing)") + (extra.isEmpty ? "" : "; unexpected \(extra)"))
        }
        let rows = lines.count - 1
        guard rows > 0, rows % 4 == 0 else {
            throw TrainingSetError(file: path, message: "\(rows) data rows: expected a positive multiple of 4 (domains 2–5 of every realisation)")
        }
        let m = rows / 4
        var features = [Double](repeating: 0, count: rows * width)
        var eta = [Double](repeating: 0, count: rows)
        for (i, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 7 else {
                throw TrainingSetError(file: path, message: "line \(i + 2): \(fields.count) columns, expected 7")
            }
            for k in 0..<7 {
                guard let v = Double(fields[k].trimmingCharacters(in: .whitespaces)) else {
                    throw TrainingSetError(file: path, message: "line \(i + 2), column \(expected[k]): '\(fields[k])' is not a number")
                }
                if k < 6 { features[i * width + k] = v } else { eta[i] = v }
            }
        }
        do {
            return try TrainingSet(features: features, eta: eta, realization: (0..<rows).map { $0 % m },
                                   domain: (0..<rows).map { 2 + $0 / m }, source: path)
        } catch var e as TrainingSetError {
            // Row numbers → line numbers in the CSV (header is line 1).
            e.message = e.message.replacingOccurrences(of: "row ", with: "data row ")
            throw e
        }
    }

    /// Reads a `training-set` HDF5 file.
    public static func read(path: String) throws -> TrainingSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        try FileHeader.read(from: file, expecting: kind)
        let samples = try file.root.group("samples")
        let names = try samples.dataset("feature_names").readStrings()
        guard names == EffectivenessFeature.names else {
            throw TrainingSetError(file: path, message: "/samples/feature_names \(names) differ from \(EffectivenessFeature.names)")
        }
        let f = try samples.dataset("features")
        guard f.shape.count == 2, f.shape[1] == width else {
            throw TrainingSetError(file: path, message: "/samples/features has shape \(f.shape), expected (N, \(width))")
        }
        let inputs = try samples.dataset("inputs")
        guard inputs.shape == [f.shape[0], inputNames.count] else {
            throw TrainingSetError(file: path, message: "/samples/inputs has shape \(inputs.shape), expected (\(f.shape[0]), \(inputNames.count))")
        }
        return try TrainingSet(features: try f.read(Double.self), eta: try samples.dataset("eta").read(Double.self),
                               realization: try samples.dataset("realization").read(Int64.self).map { Int($0) },
                               domain: try samples.dataset("domain").read(Int64.self).map { Int($0) },
                               inputs: try inputs.read(Double.self), source: path)
    }

    /// Reads either kind by extension: `.csv` is the reference table, anything else a `training-set` file.
    public static func load(path: String) throws -> TrainingSet {
        path.lowercased().hasSuffix(".csv") ? try readReferenceCSV(path: path) : try read(path: path)
    }

    /// Writes the `/samples` group (the caller writes the root header).
    public func write(to file: HDF5File) throws {
        let s = try file.root.createGroup("samples")
        try s.write("features", features, shape: [count, Self.width], units: "1",
                    longName: "closure features (porosity, phi^2, Pe, Dr, <c>/Ka, -r d<c>/dx / Ka)")
        try s.writeStrings("feature_names", EffectivenessFeature.names, longName: "feature column names")
        try s.write("eta", eta, units: "1", longName: "effectiveness factor")
        try s.write("inputs", inputs, shape: [count, Self.inputNames.count], units: "SI",
                    longName: "microscale inputs r (m), phi2 (1), PL (Pa), Dr (1), cL (mol m-3)")
        try s.writeStrings("input_names", Self.inputNames, longName: "input column names")
        try s.write("realization", realization.map(Int64.init), units: "1", longName: "realisation index")
        try s.write("domain", domain.map(Int64.init), units: "1", longName: "flow domain (tile) index along the row")
    }
}

/// Train / validation / test rows split by realisation: test = realisations with index % 5 == 4;
/// validation = a seeded 5 % of the remaining realisations; train = the rest.
public struct RealizationSplit: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]

    public init(_ set: TrainingSet, seed: UInt64, validationFraction: Double = 0.05) {
        let realizations = Array(Set(set.realization)).sorted()
        let pool = realizations.filter { $0 % 5 != 4 }
        // Seeded choice of validation realisations: sort the pool by a hash keyed by (seed, index).
        let keyed = pool.map { (r: $0, key: splitKey(seed: seed, realization: $0)) }.sorted { $0.key < $1.key }
        let nValidation = Int((Double(pool.count) * validationFraction).rounded())
        let validationSet = Set(keyed.prefix(nValidation).map(\.r))
        var train: [Int] = [], validation: [Int] = [], test: [Int] = []
        for i in 0..<set.count {
            let r = set.realization[i]
            if r % 5 == 4 { test.append(i) } else if validationSet.contains(r) { validation.append(i) } else { train.append(i) }
        }
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// SplitMix64 finaliser of (seed, realisation): a stable pseudo-random sort key.
private func splitKey(seed: UInt64, realization: Int) -> UInt64 {
    var z = seed &+ UInt64(truncatingIfNeeded: realization) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
