import Closure
import Foundation
import HDF5Kit

/// An averaged DNS profile: section and window averages on the column centres.
public struct AveragedProfile: Sendable, Equatable {
    /// Column centres (m).
    public var x: [Double]
    /// ⟨c⟩^β_sec (mol m⁻³).
    public var section: [Double]
    /// ⟨c⟩^β_W (mol m⁻³), window width `windowWidth`.
    public var window: [Double]
    /// η_W(x) of the DNS (1), if the uptake parameters were known.
    public var windowEta: [Double]?
    /// W (m).
    public var windowWidth: Double
    /// r_eff (m) used for the default window and the comparison cut-off.
    public var effectiveRadius: Double
    /// Strip length L (m).
    public var length: Double

    public init(x: [Double], section: [Double], window: [Double], windowEta: [Double]?, windowWidth: Double,
                effectiveRadius: Double, length: Double) {
        self.x = x
        self.section = section
        self.window = window
        self.windowEta = windowEta
        self.windowWidth = windowWidth
        self.effectiveRadius = effectiveRadius
        self.length = length
    }

    /// Averages of a 2-D DNS field c (row-major (ny, nx), grid cells of side h) with cell (σ) area
    /// fraction `solidFraction`: section average, window average of width W, and — with km, Ka —
    /// the DNS window η_W = ⟨km c/(Ka + c)⟩^σ_W / [km ⟨c⟩^β_W/(Ka + ⟨c⟩^β_W)].
    public init(concentration c: [Double], solidFraction f: [Double], nx: Int, ny: Int, h: Double,
                windowWidth: Double, effectiveRadius: Double, km: Double? = nil, Ka: Double? = nil) {
        let fluid = f.map { 1 - $0 }
        let sums = FluidColumnSums(field: c, fluidFraction: fluid, nx: nx, ny: ny)
        let window = Averages.window(sums, h: h, width: windowWidth)
        var eta: [Double]? = nil
        if let km, let Ka, km > 0 {
            let uptake = c.map { Effectiveness.uptakeRate(max($0, 0), km: km, Ka: Ka) }
            let cellSums = FluidColumnSums(field: uptake, fluidFraction: f, nx: nx, ny: ny)
            eta = Averages.windowEta(cellSums: cellSums, h: h, width: windowWidth, fluidWindow: window, km: km, Ka: Ka)
        }
        self.init(x: (0..<nx).map { (Double($0) + 0.5) * h }, section: Averages.section(sums), window: window,
                  windowEta: eta, windowWidth: windowWidth, effectiveRadius: effectiveRadius, length: Double(nx) * h)
    }
}

/// The `average` file (DESIGN §5): `/average/x`, `/average/c_section`, `/average/c_window`
/// (attribute `window_width`, m), optionally `/average/eta_window`; attributes `effective_radius`,
/// `length`, `source` (the DNS file).
public enum AverageFile {
    public static let kind = "average"

    /// Writes the `/average` group into an open file (the header is the caller's).
    public static func write(_ p: AveragedProfile, source: String, to file: HDF5File) throws {
        let g = try file.root.createGroup("average")
        try g.write("x", p.x, units: "m", longName: "column-centre position along the strip")
        try g.write("c_section", p.section, units: "mol m-3",
                    longName: "beta-intrinsic section average: sum_j (1-f) c / sum_j (1-f) over the column at x")
        let w = try g.write("c_window", p.window, units: "mol m-3",
                            longName: "beta-intrinsic moving-window average over [x-w/2, x+w/2] cut to [0, L], fluid-weighted")
        try w.setAttribute("window_width", p.windowWidth)
        if let eta = p.windowEta {
            try g.write("eta_window", eta, units: "1",
                        longName: "DNS effectiveness factor of the window: <km c/(Ka+c)>^sigma_w / (km <c>^beta_w/(Ka+<c>^beta_w))")
        }
        try g.setAttribute("window_width", p.windowWidth)
        try g.setAttribute("effective_radius", p.effectiveRadius)
        try g.setAttribute("length", p.length)
        try g.setAttribute("source", source)
        try g.setAttribute("definition", "section: sum_j w c / sum_j w; window: integral of sum_j w c over [max(0,x-W/2), min(L,x+W/2)] / integral of sum_j w; w = 1 - solid fraction")
    }

    /// Reads the `/average` group of an `average` (or `comparison` from `tissue validate`) file.
    public static func read(from file: HDF5File) throws -> AveragedProfile {
        let g = try file.root.group("average")
        let eta = g.contains("eta_window") ? try g.dataset("eta_window").read(Double.self) : nil
        return AveragedProfile(
            x: try g.dataset("x").read(Double.self), section: try g.dataset("c_section").read(Double.self),
            window: try g.dataset("c_window").read(Double.self), windowEta: eta,
            windowWidth: try g.doubleAttribute("window_width"), effectiveRadius: try g.doubleAttribute("effective_radius"),
            length: try g.doubleAttribute("length"))
    }
}

/// Which average of an `average` file a comparison uses.
public enum AverageVariant: String, Sendable, CaseIterable {
    case window, section
}

/// Reads reference profiles: a CSV of two columns, x in µm and ⟨c⟩ in mol m⁻³ (lines starting with
/// `%` or `#` and a non-numeric header line are skipped). (Profiles of `upscaled` and `average`
/// files are read by their own readers, `UpscaledFile` and `AverageFile`.)
public enum ProfileLoader {
    /// A reference CSV: x (µm), c (mol m⁻³).
    public static func loadCSV(_ path: String) throws -> Profile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HDF5Error(file: path, message: "cannot read the reference CSV (missing or unreadable)")
        }
        var x: [Double] = [], c: [Double] = []
        for (number, raw) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("%") || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let xv = Double(fields[0]), let cv = Double(fields[1]) else {
                if x.isEmpty && number == 0 { continue }   // a header line
                throw HDF5Error(file: path, message: "line \(number + 1): expected two numbers 'x_um,c', got '\(line)'")
            }
            if let last = x.last, xv * 1e-6 <= last {
                throw HDF5Error(file: path, message: "line \(number + 1): x must increase (\(xv) µm after \(last * 1e6) µm)")
            }
            x.append(xv * 1e-6)
            c.append(cv)
        }
        guard x.count >= 2 else { throw HDF5Error(file: path, message: "the reference CSV holds fewer than two points") }
        let name = (path as NSString).lastPathComponent
        return Profile(x: x, c: c, label: "reference (\(name))", source: path, kind: "reference", length: x.last)
    }

}

/// The `comparison` file's `/comparison` group: common grid, both profiles, pointwise errors,
/// summary metrics as attributes, and η(x) of whichever profile has one.
public enum ComparisonFile {
    public static let kind = "comparison"

    /// Writes `/comparison` into an open file (the header is the caller's).
    @discardableResult
    public static func write(_ r: ProfileComparison, filterWidth: Double?, to file: HDF5File, group name: String = "comparison") throws -> HDF5Group {
        let g = try file.root.createGroup(name)
        try g.write("x", r.x, units: "m", longName: "common grid: positions of profile b inside the range of profile a")
        try g.write("c_a", r.cA, units: "mol m-3", longName: "profile a: \(r.a.label), interpolated linearly")
        try g.write("c_b", r.cB, units: "mol m-3", longName: "profile b: \(r.b.label)")
        try g.write("error", r.error, units: "mol m-3", longName: "pointwise error a - b")
        try g.write("relative_error", r.relativeError, units: "1", longName: "pointwise relative error (a - b)/b")
        for (p, tag) in [(r.a, "a"), (r.b, "b")] {
            if let eta = p.eta {
                try g.write("eta_\(tag)_x", p.x, units: "m", longName: "positions of eta_\(tag)")
                try g.write("eta_\(tag)", eta, units: "1", longName: "effectiveness factor of profile \(tag) (\(p.label))")
            }
        }
        try g.setAttribute("label_a", r.a.label)
        try g.setAttribute("label_b", r.b.label)
        try g.setAttribute("source_a", r.a.source)
        try g.setAttribute("source_b", r.b.source)
        try g.setAttribute("x_min", r.xMin)
        try g.setAttribute("points", r.points)
        try g.setAttribute("mean_relative_error", r.meanRelativeError)
        try g.setAttribute("max_absolute_error", r.maxAbsoluteError)
        try g.setAttribute("max_absolute_error_at", r.maxAbsoluteErrorAt)
        try g.setAttribute("l2_error", r.l2Error)
        try g.setAttribute("relative_l2_error", r.relativeL2Error)
        try g.setAttribute("filter_window", filterWidth ?? 0)
        try g.setAttribute("definition", "over common points with x >= x_min: MRE = mean |a-b|/|b|; max abs = max |a-b|; L2 = sqrt(mean (a-b)^2); relative L2 = sqrt(sum (a-b)^2 / sum b^2)")
        return g
    }

    /// A stored comparison group, as read back.
    public struct Stored: Sendable {
        public var x: [Double]
        public var cA: [Double]
        public var cB: [Double]
        public var error: [Double]
        public var labelA: String
        public var labelB: String
        public var xMin: Double
        public var meanRelativeError: Double
        public var maxAbsoluteError: Double
        public var l2Error: Double
        /// η of profile a and b with their positions, where stored.
        public var etaA: (x: [Double], eta: [Double])?
        public var etaB: (x: [Double], eta: [Double])?
    }

    /// Reads `/comparison` (or another group written by `write`, e.g. `reference_dns`) of an open file.
    public static func read(from file: HDF5File, group name: String = "comparison") throws -> Stored {
        let g = try file.root.group(name)
        func values(_ path: String) throws -> [Double] { try g.dataset(path).read(Double.self) }
        func eta(_ tag: String) throws -> (x: [Double], eta: [Double])? {
            g.contains("eta_\(tag)") ? (try values("eta_\(tag)_x"), try values("eta_\(tag)")) : nil
        }
        return Stored(x: try values("x"), cA: try values("c_a"), cB: try values("c_b"), error: try values("error"),
                      labelA: try g.stringAttribute("label_a"), labelB: try g.stringAttribute("label_b"),
                      xMin: try g.doubleAttribute("x_min"), meanRelativeError: try g.doubleAttribute("mean_relative_error"),
                      maxAbsoluteError: try g.doubleAttribute("max_absolute_error"), l2Error: try g.doubleAttribute("l2_error"),
                      etaA: try eta("a"), etaB: try eta("b"))
    }
}
