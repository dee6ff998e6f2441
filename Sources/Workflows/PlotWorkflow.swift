import Averaging
import Config
import Foundation
import HDF5Kit
import Macroscale
import Microscale
import NeuralNet
import Plotting

/// `tissue plot FILE.h5`: an SVG figure of a result file, drawn according to its kind; axis names
/// and units come from the datasets' `long_name` and `units` attributes.
public enum PlotWorkflow {
    public static let supportedKinds = [UpscaledFile.kind, AverageFile.kind, ComparisonFile.kind, SweepFile.kind,
                                        TissueDNSFile.kind, ModelFile.kind]
    /// At most this many profiles of a transient file (evenly chosen, always the last).
    static let maxProfiles = 10

    public struct Request: Sendable {
        public var input: String
        /// The SVG (nil: the input with `.svg` for `.h5`).
        public var output: String?
        public var policy: OutputPolicy

        public init(input: String, output: String? = nil, policy: OutputPolicy = OutputPolicy()) {
            self.input = input
            self.output = output
            self.policy = policy
        }
    }

    public static func run(_ request: Request) throws -> WorkflowReport {
        let input = request.input
        guard FileManager.default.fileExists(atPath: input) else { throw WorkflowError("\(input): no such file") }
        let output = request.output ?? defaultOutput(for: input)
        try request.policy.checkOutput(output)
        let file = try HDF5File.open(input)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file)
        let figure = try Self.figure(of: file, header: header)
        try figure.write(to: output)
        let panels = figure.rows.flatMap { $0 }
        let summary: [String: Any] = ["output": output, "input": input, "kind": header.kind,
                                      "curves": panels.reduce(0) { $0 + $1.curves.count }, "panels": panels.count]
        return WorkflowReport(summary: summary, headline: ["wrote \(output)"], hidden: ["output"])
    }

    /// FILE.h5 → FILE.svg.
    public static func defaultOutput(for input: String) -> String {
        ["h5", "hdf5"].contains((input as NSString).pathExtension.lowercased()) ? Paths.droppingExtension(input) + ".svg" : input + ".svg"
    }

    /// The figure of an open file of any supported kind.
    static func figure(of file: HDF5File, header: FileHeader) throws -> Figure {
        let name = (file.path as NSString).lastPathComponent
        let tissue = (try? TOMLParser.parse(header.config, file: file.path))?[path: ["tissue", "name"]]?.stringValue
        let heading = tissue.map { "\(name) — \($0)" } ?? name
        switch header.kind {
        case UpscaledFile.kind: return try upscaled(file, title: heading)
        case AverageFile.kind: return try average(file, title: heading)
        case ComparisonFile.kind:
            return file.root.contains("seeds") ? try validation(file, title: heading) : try comparison(file, title: heading)
        case SweepFile.kind: return try sweep(file, title: heading)
        case TissueDNSFile.kind: return try tissueDNS(file, title: heading)
        case ModelFile.kind: return try model(file, title: heading)
        default:
            throw WorkflowError("\(file.path): cannot plot a '\(header.kind)' file; tissue plot draws \(supportedKinds.map { "'\($0)'" }.joined(separator: ", ")) files")
        }
    }

    // MARK: Kinds

    static func upscaled(_ file: HDF5File, title: String) throws -> Figure {
        let p = try UpscaledFile.readProfile(from: file)
        let macro = try file.root.group("macro")
        let pal = ProfilePlot.palette
        var plot = ProfilePlot(title: title, profiles: [], etas: [Curve(label: "", x: p.x, y: p.eta, color: pal[0])])
        plot.subtitle = macro.hasAttribute("closure") ? "closure: \(try macro.stringAttribute("closure"))" : ""
        plot.position = try quantity(macro, "x")
        plot.concentration = try quantity(macro, "c")
        plot.eta = try quantity(macro, "eta")
        if let history = try UpscaledFile.readHistory(from: file) {
            let t = try quantity(macro, "t")
            let unit = DisplayUnit.choose(for: t.units, values: history.times)
            let shown = evenlyChosen(history.times.count, at: maxProfiles)
            for (k, i) in shown.enumerated() {
                let colour = ColourRamp.viridis.hex(0.9 * Double(k) / Double(max(shown.count - 1, 1)))
                let time = String(format: "%.3g", history.times[i] * unit.factor)
                plot.profiles.append(Curve(label: "t = \(time) \(unit.symbol)", x: p.x, y: history.concentration[i], color: colour))
            }
            let last = String(format: "%.3g", (history.times.last ?? 0) * unit.factor)
            plot.subtitle += (plot.subtitle.isEmpty ? "" : "; ") + "η at t = \(last) \(unit.symbol)"
            plot.title += ": transient upscaled profiles"
        } else {
            plot.profiles = [Curve(label: "", x: p.x, y: p.c, color: pal[0], width: 2.5)]
            plot.title += ": steady upscaled profile"
        }
        return plot.figure
    }

    static func average(_ file: HDF5File, title: String) throws -> Figure {
        try FileHeader.read(from: file, expecting: AverageFile.kind)
        let a = try AverageFile.read(from: file)
        let g = try file.root.group("average")
        let pal = ProfilePlot.palette
        var plot = ProfilePlot(title: title + ": averaged tissue-strip DNS", profiles: [
            Curve(label: "window average (w = \(readableLength(a.windowWidth)))", x: a.x, y: a.window, color: pal[1], width: 2.5),
            Curve(label: "section average", x: a.x, y: a.section, color: "#777777", width: 1.2),
        ])
        if let eta = a.windowEta { plot.etas = [Curve(label: "", x: a.x, y: eta, color: pal[1])] }
        plot.position = try quantity(g, "x")
        plot.concentration = try quantity(g, "c_window")
        if a.windowEta != nil { plot.eta = try quantity(g, "eta_window") }
        return plot.figure
    }

    /// A `tissue compare` file: both profiles, the pointwise error, η where stored.
    static func comparison(_ file: HDF5File, title: String) throws -> Figure {
        let r = try ComparisonFile.read(from: file)
        let g = try file.root.group("comparison")
        let pal = ProfilePlot.palette
        var plot = ProfilePlot(title: title + ": profile comparison", subtitle: try metrics(r, g),
                               profiles: [Curve(label: r.labelB, x: r.x, y: r.cB, color: pal[1], width: 2.5),
                                          Curve(label: r.labelA, x: r.x, y: r.cA, color: pal[0], dash: "8 4")],
                               excludedBelow: r.xMin)
        for (eta, label, colour, dash) in [(r.etaA, r.labelA, pal[0], "8 4"), (r.etaB, r.labelB, pal[1], "")] {
            if let eta { plot.etas.append(Curve(label: label, x: eta.x, y: eta.eta, color: colour, dash: dash)) }
        }
        if g.contains("eta_a") { plot.eta = try quantity(g, "eta_a") } else if g.contains("eta_b") { plot.eta = try quantity(g, "eta_b") }
        plot.position = try quantity(g, "x")
        plot.concentration = try quantity(g, "c_b")
        plot.extraPanels = [try errorPanel(r, g)]
        return plot.figure
    }

    /// A `tissue validate` file: upscaled vs the averaged DNS (each seed thin, their mean), the
    /// published reference where it was compared, the pointwise error and η of closure and DNS.
    static func validation(_ file: HDF5File, title: String) throws -> Figure {
        let r = try ComparisonFile.read(from: file)
        let a = try AverageFile.read(from: file)
        let macro = try file.root.group("macro"), avg = try file.root.group("average"), seeds = try file.root.group("seeds")
        let ux = try macro.dataset("x").read(Double.self)
        let pal = ProfilePlot.palette
        var profiles: [Curve] = []
        let names = try seeds.childNames()
        for (k, seed) in names.enumerated() where names.count > 1 {
            profiles.append(Curve(label: k == 0 ? "DNS window average, each seed" : "", x: a.x,
                                  y: try seeds.dataset("\(seed)/c_window").read(Double.self), color: "#f4a6a6", width: 1))
        }
        profiles.append(Curve(label: r.labelB, x: a.x, y: a.window, color: pal[1], width: 2.5))
        profiles.append(Curve(label: "DNS section average", x: a.x, y: a.section, color: "#999999", width: 1))
        profiles.append(Curve(label: r.labelA, x: ux, y: try macro.dataset("c").read(Double.self), color: pal[0], dash: "8 4"))
        if file.root.contains("reference_dns") {
            let ref = try ComparisonFile.read(from: file, group: "reference_dns")
            profiles.append(Curve(label: ref.labelB, x: ref.x, y: ref.cB, color: pal[2], dash: "4 2"))
        }
        var plot = ProfilePlot(title: title + ": upscaled model vs averaged tissue-strip DNS",
                               subtitle: try metrics(r, try file.root.group("comparison")),
                               profiles: profiles, excludedBelow: r.xMin)
        plot.etas = [Curve(label: "closure", x: ux, y: try macro.dataset("eta").read(Double.self), color: pal[0], dash: "8 4")]
        if let e = a.windowEta { plot.etas.append(Curve(label: "DNS window", x: a.x, y: e, color: pal[1])) }
        if avg.contains("eta_closure_on_dns") {
            plot.etas.append(Curve(label: "closure at the DNS ⟨c⟩", x: a.x, y: try avg.dataset("eta_closure_on_dns").read(Double.self),
                                   color: pal[4], dash: "2 3", width: 1.5))
        }
        plot.position = try quantity(macro, "x")
        plot.concentration = try quantity(macro, "c")
        plot.eta = try quantity(macro, "eta")
        plot.extraPanels = [try errorPanel(r, try file.root.group("comparison"))]
        return plot.figure
    }

    /// A `sweep` file: the profiles and η of every run coloured by the swept parameter, then each
    /// summary quantity against it (log axis when the values span more than 20×).
    static func sweep(_ file: HDF5File, title: String) throws -> Figure {
        let s = try SweepContents(file)
        let p = s.parameterIndex
        let values = s.values.map { $0[p] }
        let ok = s.values.indices.filter { !s.failed[$0] && values[$0].isFinite }
        let finite = ok.map { values[$0] }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let log = lo > 0 && hi / lo > 20
        let parameter = Quantity(s.parameterNames[p], units: s.parameterUnits[p])
        let bar = ColourBar(parameter, lo: lo, hi: hi, log: log)
        var family = Panel(x: s.xQuantity, y: s.cQuantity, curves: ok.map { Curve(label: "", x: s.x, y: s.c[$0], color: bar.color(values[$0]), width: 1.6) })
        family.colourBar = bar
        family.showsXTitle = false
        var etas = Panel(x: s.xQuantity, y: s.etaQuantity, curves: ok.map { Curve(label: "", x: s.x, y: s.eta[$0], color: bar.color(values[$0]), width: 1.2) }, height: 150)
        etas.colourBar = bar
        etas.yFromZero = false
        var rows: [[Panel]] = [[family], [etas]]
        var summaries: [Panel] = []
        for q in s.summaries {
            var panel = Panel(x: parameter, y: q.quantity, curves: [
                Curve(label: "", x: ok.map { values[$0] }, y: ok.map { q.values[$0] }, color: ProfilePlot.palette[0], markers: true),
            ], height: 160)
            panel.logX = log
            panel.legend = .none
            summaries.append(panel)
        }
        for k in stride(from: 0, to: summaries.count, by: 2) { rows.append(Array(summaries[k..<min(k + 2, summaries.count)])) }
        let failed = s.failed.filter { $0 }.count
        var subtitle = "\(s.values.count) runs over \(s.parameterNames.joined(separator: ", "))"
        if failed > 0 { subtitle += "; \(failed) failed (not drawn)" }
        return Figure(title: title + ": parameter sweep", subtitle: subtitle, rows: rows, width: 1000)
    }

    /// A `dns-tissue` file: the concentration field with the cells in grey.
    static func tissueDNS(_ file: HDF5File, title: String) throws -> Figure {
        let d = try TissueDNSFile.read(path: file.path)
        let grid = try file.root.group("grid"), fields = try file.root.group("fields")
        let fluid = d.concentration.indices.filter { !d.mask[$0] }.map { d.concentration[$0] }
        let length = Double(d.nx) * d.h, height = Double(d.ny) * d.h
        var panel = Panel(x: try quantity(grid, "x"), y: try quantity(grid, "y"),
                          height: min(max(690 * height / length, 120), 520))
        panel.heatMap = HeatMap(nx: d.nx, ny: d.ny, values: d.concentration, masked: d.mask, x: 0...length, y: 0...height)
        panel.colourBar = ColourBar(try quantity(fields, "c"), lo: fluid.min() ?? 0, hi: fluid.max() ?? 1)
        let subtitle = "\(d.nx) × \(d.ny) cells, h = \(readableLength(d.h)); grey: cells (mask = 1)"
        return Figure(title: title + ": tissue-strip DNS", subtitle: subtitle, rows: [[panel]])
    }

    /// A `model` file: training and validation loss per epoch (log scale); a model stored without its
    /// history shows its test error per η band instead.
    static func model(_ file: HDF5File, title: String) throws -> Figure {
        let m = try ModelFile.read(path: file.path)
        let layers = m.network.widths.map(String.init).joined(separator: "-")
        var subtitle = "layers \(layers), \(m.network.activation.rawValue)"
        if let mape = m.trainingNumbers["test_mape_percent"] { subtitle += String(format: "; test MAPE %.3g %%", mape) }
        let training = try file.root.group("model/training")
        let pal = ProfilePlot.palette
        let h = m.trainingHistory
        if h.count > 0 {
            let epochs = (1...h.count).map(Double.init)
            let loss = m.trainingAttributes["loss"].map { "loss (\($0))" } ?? "loss"
            var panel = Panel(x: Quantity("epoch", units: ""), y: Quantity(loss, units: try training.dataset("train_loss").stringAttribute("units")),
                              curves: [Curve(label: "training", x: epochs, y: h.trainLoss, color: pal[0], markers: h.count <= 30),
                                       Curve(label: "validation", x: epochs, y: h.validationLoss, color: pal[1], dash: "6 3", markers: h.count <= 30)],
                              height: 380)
            panel.logY = true
            return Figure(title: title + ": training history", subtitle: subtitle, rows: [[panel]])
        }
        // Test error per η band: attributes test_band_LO_HI_mape_percent.
        var bands: [(Double, Double)] = []
        for (key, value) in m.trainingNumbers where key.hasPrefix("test_band_") && key.hasSuffix("_mape_percent") {
            let edges = key.dropFirst("test_band_".count).dropLast("_mape_percent".count).split(separator: "_").compactMap { Double($0) }
            if edges.count == 2 { bands.append(((edges[0] + edges[1]) / 2, value)) }
        }
        guard !bands.isEmpty else {
            throw WorkflowError("\(file.path): the model stores neither a training history (/model/training/train_loss) nor test errors per η band: nothing to plot")
        }
        bands.sort { $0.0 < $1.0 }
        var panel = Panel(x: Quantity("η, centre of the band", units: "1"), y: Quantity("test MAPE", units: "%"),
                          curves: [Curve(label: "", x: bands.map(\.0), y: bands.map(\.1), color: pal[0], markers: true)], height: 330)
        panel.xRange = 0...1
        return Figure(title: title + ": test error by η band", subtitle: subtitle + "; no per-epoch history stored in this file", rows: [[panel]])
    }

    // MARK: Helpers

    /// The pointwise error a − b of a comparison, on its x axis.
    static func errorPanel(_ r: ComparisonFile.Stored, _ g: HDF5Group) throws -> Panel {
        var panel = Panel(x: try quantity(g, "x"), y: try quantity(g, "error"),
                          curves: [Curve(label: "", x: r.x, y: r.error, color: "#444444", width: 1.5)], height: 130)
        panel.yFromZero = false
        panel.legend = .none
        return panel
    }

    /// The comparison's metrics, x_min in the x axis's unit and the errors in those of `/comparison/error`.
    static func metrics(_ r: ComparisonFile.Stored, _ g: HDF5Group) throws -> String {
        let x = DisplayUnit.choose(for: try quantity(g, "x").units, values: r.x), c = DisplayUnit.pretty(try quantity(g, "error").units)
        return String(format: "MRE %.2f %% (x ≥ %.3g %@), max |Δc| %.3g %@, L2 %.3g %@", 100 * r.meanRelativeError,
                      r.xMin * x.factor, x.symbol, r.maxAbsoluteError, c, r.l2Error, c)
    }

    static func readableLength(_ v: Double) -> String {
        let unit = DisplayUnit.choose(for: "m", values: [v])
        return String(format: "%.3g %@", v * unit.factor, unit.symbol)
    }

    /// Indices 0..<n, at most `limit` of them, evenly spread, always the first and the last.
    static func evenlyChosen(_ n: Int, at limit: Int) -> [Int] {
        guard n > limit else { return Array(0..<n) }
        var seen = Set<Int>()
        return (0..<limit).map { Int((Double($0) * Double(n - 1) / Double(limit - 1)).rounded()) }.filter { seen.insert($0).inserted }
    }

    /// The axis quantity of a dataset: its `long_name` (shortened to a title) and `units`.
    static func quantity(_ group: HDF5Group, _ path: String) throws -> Quantity {
        let d = try group.dataset(path)
        let name = d.hasAttribute("long_name") ? title(try d.stringAttribute("long_name")) : String(path.split(separator: "/").last ?? "")
        return Quantity(name, units: d.hasAttribute("units") ? try d.stringAttribute("units") : "")
    }

    /// A long name as an axis title: up to its first qualifier (": …", " over …", " (…"), with
    /// ⟨c⟩^β and Greek letters.
    static func title(_ longName: String) -> String {
        var t = longName
        for cut in [": ", " over ", " (", ", per", " at the ", " from the ", ", cell-centred", ", one per"] {
            if let r = t.range(of: cut) { t = String(t[..<r.lowerBound]) }
        }
        for (a, b) in [("<c>^beta", "⟨c⟩^β"), ("<v>^beta", "⟨v⟩^β"), ("beta-", "β-"), ("sigma-", "σ-"), ("D_beta", "Dβ")] {
            t = t.replacingOccurrences(of: a, with: b)
        }
        return t
    }
}

/// What a plot needs from a `sweep` file: the profiles and summaries of each run with their axes.
struct SweepContents {
    var parameterNames: [String]
    var parameterUnits: [String]
    /// Per run, the parameter values.
    var values: [[Double]]
    var x: [Double]
    var c: [[Double]]
    var eta: [[Double]]
    var failed: [Bool]
    var xQuantity: Quantity, cQuantity: Quantity, etaQuantity: Quantity
    var summaries: [(name: String, quantity: Quantity, values: [Double])]

    /// The parameter the colours and summary axes follow: the first one that varies.
    var parameterIndex: Int {
        parameterNames.indices.first { k in Set(values.map { $0[k] }.filter(\.isFinite)).count > 1 } ?? 0
    }

    /// Reads through the sweep's own reader (`SweepFile.read`); axis titles and units come from the
    /// datasets' long names and units, like every plot.
    init(_ file: HDF5File) throws {
        let contents = try SweepFile.read(path: file.path)   // checks the kind itself
        parameterNames = contents.parameterNames
        parameterUnits = contents.parameterUnits
        values = contents.values
        x = contents.x
        c = contents.results.map(\.c)
        eta = contents.results.map(\.eta)
        failed = contents.results.map(\.failed)
        let g = try file.root.group("sweep")
        xQuantity = try PlotWorkflow.quantity(g, "x")
        cQuantity = try PlotWorkflow.quantity(g, "c")
        etaQuantity = try PlotWorkflow.quantity(g, "eta")
        let s = try g.group("summary")
        summaries = try SweepFile.summaries.indices.map { k in
            (SweepFile.summaries[k].name, try PlotWorkflow.quantity(s, SweepFile.summaries[k].name), contents.results.map { $0.summary[k] })
        }
    }
}
