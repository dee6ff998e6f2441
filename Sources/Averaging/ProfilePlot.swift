import Foundation

/// A hand-written SVG figure of concentration profiles (top panel, ⟨c⟩ in mol m⁻³ against x in µm)
/// with η(x) beneath (bottom panel), axes with ticks and units, and a legend. No dependencies.
public struct ProfilePlot: Sendable {
    /// One line of a panel.
    public struct Curve: Sendable {
        public var label: String
        /// Positions (m); drawn in µm.
        public var x: [Double]
        public var y: [Double]
        public var color: String
        /// SVG stroke-dasharray ("" for solid).
        public var dash: String
        public var width: Double

        public init(label: String, x: [Double], y: [Double], color: String, dash: String = "", width: Double = 2) {
            self.label = label
            self.x = x
            self.y = y
            self.color = color
            self.dash = dash
            self.width = width
        }
    }

    public var title: String
    /// A second line under the title (metrics).
    public var subtitle: String
    public var profiles: [Curve]
    public var etas: [Curve]
    /// Shaded region x < xMin (excluded from the metrics), m; 0 for none.
    public var excludedBelow: Double

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public init(title: String, subtitle: String = "", profiles: [Curve], etas: [Curve] = [], excludedBelow: Double = 0) {
        self.title = title
        self.subtitle = subtitle
        self.profiles = profiles
        self.etas = etas
        self.excludedBelow = excludedBelow
    }

    /// The figure as SVG text (900 × 640 px, or 900 × 470 without η curves).
    public func svg() -> String {
        let width = 900.0, left = 80.0, right = 30.0, top = 70.0
        let topHeight = 330.0, gap = 60.0, etaHeight = etas.isEmpty ? 0.0 : 150.0
        let height = top + topHeight + (etas.isEmpty ? 60 : gap + etaHeight + 60)
        let all = (profiles + etas).flatMap { $0.x }.filter(\.isFinite)
        let xLo = (all.min() ?? 0) * 1e6, xHi = max((all.max() ?? 1) * 1e6, xLo + 1e-9)
        let xAxis = Axis(lo: min(0, xLo), hi: xHi, tight: true)
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="28" text-anchor="middle" font-size="19" font-weight="bold">\(escape(title))</text>
            <text x="\(width / 2)" y="52" text-anchor="middle" font-size="14" fill="#444">\(escape(subtitle))</text>

            """
        let plotW = width - left - right
        func panel(_ curves: [Curve], y0: Double, h: Double, yLabel: String, xLabel: Bool, legend: Bool) {
            let ys = curves.flatMap { $0.y }.filter(\.isFinite)
            let yLo = ys.min() ?? 0, yHi = ys.max() ?? 1
            let pad = max(yHi - yLo, 1e-12) * 0.05
            let yAxis = Axis(lo: min(0, yLo - pad) < 0 && yLo >= 0 ? 0 : yLo - pad, hi: yHi + pad)
            func px(_ x: Double) -> Double { left + (x - xAxis.lo) / (xAxis.hi - xAxis.lo) * plotW }
            func py(_ y: Double) -> Double { y0 + h - (y - yAxis.lo) / (yAxis.hi - yAxis.lo) * h }
            if excludedBelow > 0 {
                let xe = min(px(excludedBelow * 1e6), left + plotW)
                s += "<rect x=\"\(f(left))\" y=\"\(f(y0))\" width=\"\(f(xe - left))\" height=\"\(f(h))\" fill=\"#eeeeee\"/>\n"
            }
            for t in xAxis.ticks {
                s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(y0))\" x2=\"\(f(px(t)))\" y2=\"\(f(y0 + h))\" stroke=\"#e4e4e4\"/>\n"
                s += "<text x=\"\(f(px(t)))\" y=\"\(f(y0 + h + 18))\" text-anchor=\"middle\" font-size=\"13\">\(Axis.label(t))</text>\n"
            }
            for t in yAxis.ticks {
                s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#e4e4e4\"/>\n"
                s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\" font-size=\"13\">\(Axis.label(t))</text>\n"
            }
            s += "<rect x=\"\(f(left))\" y=\"\(f(y0))\" width=\"\(f(plotW))\" height=\"\(f(h))\" fill=\"none\" stroke=\"black\"/>\n"
            s += "<text transform=\"translate(\(f(22)),\(f(y0 + h / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">\(escape(yLabel))</text>\n"
            if xLabel {
                s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(y0 + h + 42))\" text-anchor=\"middle\" font-size=\"15\">x (µm)</text>\n"
            }
            for c in curves {
                var points: [String] = []
                for (x, y) in zip(c.x, c.y) where x.isFinite && y.isFinite {
                    points.append("\(f(px(x * 1e6))),\(f(py(y)))")
                }
                guard !points.isEmpty else { continue }
                let dash = c.dash.isEmpty ? "" : " stroke-dasharray=\"\(c.dash)\""
                s += "<polyline fill=\"none\" stroke=\"\(c.color)\" stroke-width=\"\(c.width)\"\(dash) points=\"\(points.joined(separator: " "))\"/>\n"
            }
            if legend {
                var ly = y0 + 20
                let lx = left + plotW - 330
                let named = curves.filter { !$0.label.isEmpty }
                s += "<rect x=\"\(f(lx - 10))\" y=\"\(f(y0 + 6))\" width=\"335\" height=\"\(f(Double(named.count) * 22 + 10))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n"
                for c in named {
                    let dash = c.dash.isEmpty ? "" : " stroke-dasharray=\"\(c.dash)\""
                    s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 30))\" y2=\"\(f(ly - 4))\" stroke=\"\(c.color)\" stroke-width=\"\(c.width)\"\(dash)/>\n"
                    let label = c.label.count > 46 ? String(c.label.prefix(45)) + "…" : c.label
                    s += "<text x=\"\(f(lx + 38))\" y=\"\(f(ly))\" font-size=\"13\">\(escape(label))</text>\n"
                    ly += 22
                }
            }
        }
        panel(profiles, y0: top, h: topHeight, yLabel: "⟨c⟩^β (mol m⁻³)", xLabel: etas.isEmpty, legend: true)
        if !etas.isEmpty {
            panel(etas, y0: top + topHeight + gap, h: etaHeight, yLabel: "η (1)", xLabel: true, legend: etas.count > 1)
        }
        s += "</svg>\n"
        return s
    }

    /// Writes the SVG atomically (`path.partial`, then rename).
    public func write(to path: String) throws {
        let partial = path + ".partial"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try Data(svg().utf8).write(to: URL(fileURLWithPath: partial))
        if rename(partial, path) != 0 {
            unlink(partial)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A linear axis with "nice" ticks (1, 2, 5 × 10^k).
    struct Axis {
        var lo: Double
        var hi: Double
        var ticks: [Double]

        /// `tight`: the axis spans exactly [lo, hi] (ticks inside); otherwise it is widened to whole ticks.
        init(lo: Double, hi: Double, tight: Bool = false) {
            let span = max(hi - lo, 1e-12)
            let raw = span / 6
            let p = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
            let a = floor(lo / step) * step, b = ceil(hi / step) * step
            self.lo = tight ? lo : a
            self.hi = tight ? max(hi, lo + 1e-12) : b
            let first = tight ? ceil(lo / step - 1e-9) * step : a
            let last = tight ? floor(hi / step + 1e-9) * step : b
            ticks = stride(from: first, through: last + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
        }

        static func label(_ v: Double) -> String {
            if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
            return String(format: "%g", (v * 1e6).rounded() / 1e6)
        }
    }
}
