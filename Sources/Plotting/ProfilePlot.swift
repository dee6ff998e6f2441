import Foundation

/// Concentration profiles along the strip (top panel) with η(x) beneath, sharing the x axis:
/// the figure of `tissue compare`, `tissue validate` and `tissue plot` for profile files.
public struct ProfilePlot: Sendable {
    public var title: String
    /// A second line under the title (metrics).
    public var subtitle: String
    public var profiles: [Curve]
    public var etas: [Curve]
    /// Shaded region x < this (excluded from the metrics), m; 0 for none.
    public var excludedBelow: Double
    public var position = Quantity("x", units: "m")
    public var concentration = Quantity("⟨c⟩^β", units: "mol m-3")
    public var eta = Quantity("η", units: "1")
    /// Panels drawn between the profiles and η (e.g. a pointwise error), on the same x axis.
    public var extraPanels: [Panel] = []
    public var legend: Panel.LegendPlace = .topRight

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public init(title: String, subtitle: String = "", profiles: [Curve], etas: [Curve] = [], excludedBelow: Double = 0) {
        self.title = title
        self.subtitle = subtitle
        self.profiles = profiles
        self.etas = etas
        self.excludedBelow = excludedBelow
    }

    /// The figure: profiles 330 px high, each further panel 150 px, x titled on the lowest only.
    public var figure: Figure {
        let xs = (profiles + etas + extraPanels.flatMap(\.curves)).flatMap(\.x).filter(\.isFinite)
        let range = min(0, xs.min() ?? 0)...max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-12)
        var top = Panel(x: position, y: concentration, curves: profiles, height: 330)
        top.legend = legend
        var panels = [top] + extraPanels
        if !etas.isEmpty {
            var bottom = Panel(x: position, y: eta, curves: etas, height: 150)
            bottom.legend = etas.count > 1 ? .topRight : .none
            panels.append(bottom)
        }
        for k in panels.indices {
            panels[k].xRange = range
            panels[k].shadedBelow = excludedBelow
            panels[k].showsXTitle = k == panels.count - 1
            if k > 0 { panels[k].height = min(panels[k].height, 150) }
        }
        return Figure(title: title, subtitle: subtitle, rows: panels.map { [$0] })
    }

    public func svg() -> String { figure.svg() }

    /// Writes the SVG atomically (`path.partial`, then rename).
    public func write(to path: String) throws { try figure.write(to: path) }
}
