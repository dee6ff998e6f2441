import Foundation

/// One line of a panel, in SI values (the panel picks the displayed units).
public struct Curve: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var color: String
    /// SVG stroke-dasharray ("" for solid).
    public var dash: String
    public var width: Double
    /// Draw a dot at every point as well.
    public var markers: Bool

    public init(label: String, x: [Double], y: [Double], color: String, dash: String = "", width: Double = 2, markers: Bool = false) {
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.dash = dash
        self.width = width
        self.markers = markers
    }
}

/// A colour scale beside a panel: the values of `quantity` from `lo` to `hi` along `ramp`.
public struct ColourBar: Sendable {
    public var quantity: Quantity
    public var lo: Double
    public var hi: Double
    public var log: Bool
    public var ramp: ColourRamp

    public init(_ quantity: Quantity, lo: Double, hi: Double, log: Bool = false, ramp: ColourRamp = .viridis) {
        self.quantity = quantity
        self.lo = lo
        self.hi = hi > lo ? hi : lo + max(abs(lo) * 1e-6, 1e-300)
        self.log = log && lo > 0
        self.ramp = ramp
    }

    /// Position of `v` on the bar, 0 at `lo`, 1 at `hi`.
    public func fraction(_ v: Double) -> Double {
        log ? (Foundation.log(v) - Foundation.log(lo)) / (Foundation.log(hi) - Foundation.log(lo)) : (v - lo) / (hi - lo)
    }

    public func color(_ v: Double) -> String { ramp.hex(fraction(v)) }
}

/// A field on a uniform (ny, nx) grid of cells, row 0 at the lowest y, coloured by the panel's
/// colour bar; masked cells are drawn grey.
public struct HeatMap: Sendable {
    public var nx: Int
    public var ny: Int
    /// Row-major (ny, nx).
    public var values: [Double]
    /// Row-major (ny, nx): true = grey.
    public var masked: [Bool]?
    /// Extent of the grid (SI), cell edges.
    public var x: ClosedRange<Double>
    public var y: ClosedRange<Double>

    public init(nx: Int, ny: Int, values: [Double], masked: [Bool]? = nil, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.nx = nx
        self.ny = ny
        self.values = values
        self.masked = masked
        self.x = x
        self.y = y
    }
}

/// One set of axes: curves (or a heat map), axis titles from their quantities, a legend and an
/// optional colour bar.
public struct Panel: Sendable {
    public enum LegendPlace: Sendable { case topRight, topLeft, bottomRight, bottomLeft, none }

    public var x: Quantity
    public var y: Quantity
    public var curves: [Curve]
    /// Plot-area height (px).
    public var height: Double
    public var logX = false
    public var logY = false
    public var legend: LegendPlace = .topRight
    /// The x range (SI); nil: from the data (from 0 when the data are ≥ 0, unless logarithmic).
    public var xRange: ClosedRange<Double>?
    /// The y axis reaches down to 0 when the data are ≥ 0 and close to it.
    public var yFromZero = true
    /// Shade x < this (SI): a region left out of metrics; 0 for none.
    public var shadedBelow = 0.0
    public var showsXTitle = true
    public var heatMap: HeatMap?
    public var colourBar: ColourBar?

    public init(x: Quantity, y: Quantity, curves: [Curve] = [], height: Double = 300) {
        self.x = x
        self.y = y
        self.curves = curves
        self.height = height
    }
}

/// A figure: a title, a subtitle and rows of panels, written as one self-contained SVG.
public struct Figure: Sendable {
    public var title: String
    public var subtitle: String
    public var rows: [[Panel]]
    public var width: Double

    public init(title: String, subtitle: String = "", rows: [[Panel]], width: Double = 900) {
        self.title = title
        self.subtitle = subtitle
        self.rows = rows
        self.width = width
    }

    /// Vertical room under each plot area for tick labels and the x title (px).
    static let below = 62.0, rowGap = 18.0

    /// The figure as SVG text.
    public func svg() -> String {
        let top = subtitle.isEmpty ? 50.0 : 72.0
        let height = top + rows.reduce(0) { $0 + ($1.map(\.height).max() ?? 0) + Self.below + Self.rowGap }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="30" text-anchor="middle" font-size="19" font-weight="bold">\(escape(title))</text>

            """
        if !subtitle.isEmpty {
            s += "<text x=\"\(f(width / 2))\" y=\"54\" text-anchor=\"middle\" font-size=\"14\" fill=\"#444\">\(escape(subtitle))</text>\n"
        }
        var y0 = top
        var index = 0
        for row in rows {
            let columnWidth = width / Double(max(row.count, 1))
            for (k, panel) in row.enumerated() {
                let right = 25.0 + (panel.colourBar == nil ? 0 : 105)
                let left = row.count > 1 ? 78.0 : 82.0
                s += render(panel, x0: Double(k) * columnWidth + left, y0: y0, w: columnWidth - left - right, id: index)
                index += 1
            }
            y0 += (row.map(\.height).max() ?? 0) + Self.below + Self.rowGap
        }
        s += "</svg>\n"
        return s
    }

    /// Writes the SVG atomically (`path.partial`, then rename).
    public func write(to path: String) throws {
        let text = svg()
        let partial = path + ".partial"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: partial))
        if rename(partial, path) != 0 {
            unlink(partial)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    // MARK: Drawing one panel

    private func render(_ p: Panel, x0: Double, y0: Double, w: Double, id: Int) -> String {
        var s = ""
        let h = p.height
        var xs = p.curves.flatMap(\.x).filter(\.isFinite)
        if let m = p.heatMap { xs += [m.x.lowerBound, m.x.upperBound] }
        if let r = p.xRange { xs = [r.lowerBound, r.upperBound] }
        if p.logX { xs = xs.filter { $0 > 0 } }
        var ys = zip(p.curves.flatMap(\.x), p.curves.flatMap(\.y)).filter { $0.0.isFinite && $0.1.isFinite }.map(\.1)
        if let m = p.heatMap { ys = [m.y.lowerBound, m.y.upperBound] }
        if p.logY { ys = ys.filter { $0 > 0 } }
        let xUnit = DisplayUnit.choose(for: p.x.units, values: xs), yUnit = DisplayUnit.choose(for: p.y.units, values: ys)
        let xLo = (xs.min() ?? 0) * xUnit.factor, xHi = (xs.max() ?? 1) * xUnit.factor
        let xAxis: Axis
        if p.logX {
            xAxis = Axis(lo: xLo, hi: max(xHi, xLo * 1.0001), log: true)
        } else if p.heatMap != nil || p.xRange != nil || xLo >= 0 {
            let lo = p.heatMap != nil || p.xRange != nil ? xLo : min(0, xLo)
            xAxis = Axis(lo: lo, hi: max(xHi, lo + abs(lo) * 1e-9 + 1e-300), tight: true)
        } else {
            xAxis = Axis(lo: xLo, hi: xHi)
        }
        let yLo = (ys.min() ?? 0) * yUnit.factor, yHi = (ys.max() ?? 1) * yUnit.factor
        let yAxis: Axis
        if p.logY {
            yAxis = Axis(lo: yLo, hi: max(yHi, yLo * 1.0001), log: true)
        } else if p.heatMap != nil {
            yAxis = Axis(lo: yLo, hi: yHi, tight: true)
        } else {
            let pad = max(yHi - yLo, abs(yHi) * 1e-6, 1e-12) * 0.05
            yAxis = Axis(lo: p.yFromZero && yLo >= 0 && yLo - pad < 0 ? 0 : yLo - pad, hi: yHi + pad)
        }
        func px(_ v: Double) -> Double { x0 + xAxis.fraction(v * xUnit.factor) * w }
        func py(_ v: Double) -> Double { y0 + h - yAxis.fraction(v * yUnit.factor) * h }

        if p.shadedBelow > 0 {
            let xe = min(max(px(p.shadedBelow), x0), x0 + w)
            s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(xe - x0))\" height=\"\(f(h))\" fill=\"#eeeeee\"/>\n"
        }
        if let m = p.heatMap, let bar = p.colourBar {
            s += image(m, bar: bar, x: px(m.x.lowerBound), y: py(m.y.upperBound),
                       w: px(m.x.upperBound) - px(m.x.lowerBound), h: py(m.y.lowerBound) - py(m.y.upperBound))
        }
        let grid = p.heatMap == nil
        for t in xAxis.ticks {
            let X = x0 + xAxis.fraction(t) * w
            if grid { s += "<line x1=\"\(f(X))\" y1=\"\(f(y0))\" x2=\"\(f(X))\" y2=\"\(f(y0 + h))\" stroke=\"#e4e4e4\"/>\n" }
            s += "<line x1=\"\(f(X))\" y1=\"\(f(y0 + h))\" x2=\"\(f(X))\" y2=\"\(f(y0 + h + 5))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(X))\" y=\"\(f(y0 + h + 20))\" text-anchor=\"middle\" font-size=\"13\">\(Axis.label(t))</text>\n"
        }
        for t in yAxis.ticks {
            let Y = y0 + h - yAxis.fraction(t) * h
            if grid { s += "<line x1=\"\(f(x0))\" y1=\"\(f(Y))\" x2=\"\(f(x0 + w))\" y2=\"\(f(Y))\" stroke=\"#e4e4e4\"/>\n" }
            s += "<line x1=\"\(f(x0 - 5))\" y1=\"\(f(Y))\" x2=\"\(f(x0))\" y2=\"\(f(Y))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(x0 - 8))\" y=\"\(f(Y + 4))\" text-anchor=\"end\" font-size=\"13\">\(Axis.label(t))</text>\n"
        }
        s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"black\"/>\n"
        s += yTitle(p.y.title(yUnit), x: x0, middle: y0 + h / 2, room: h + 40)
        if p.showsXTitle {
            s += "<text x=\"\(f(x0 + w / 2))\" y=\"\(f(y0 + h + 44))\" text-anchor=\"middle\" font-size=\"15\">\(escape(p.x.title(xUnit)))</text>\n"
        }
        s += "<clipPath id=\"clip\(id)\"><rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(w))\" height=\"\(f(h))\"/></clipPath>\n"
        s += "<g clip-path=\"url(#clip\(id))\">\n"
        for c in p.curves {
            var points: [String] = []
            for (x, y) in zip(c.x, c.y) where x.isFinite && y.isFinite && (!p.logX || x > 0) && (!p.logY || y > 0) {
                points.append("\(f(px(x))),\(f(py(y)))")
            }
            guard !points.isEmpty else { continue }
            s += "<polyline class=\"curve\" fill=\"none\" stroke=\"\(c.color)\" stroke-width=\"\(c.width)\"\(dash(c)) points=\"\(points.joined(separator: " "))\"/>\n"
            if c.markers {
                for point in points {
                    let xy = point.split(separator: ",")
                    s += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3.5\" fill=\"\(c.color)\"/>\n"
                }
            }
        }
        s += "</g>\n"
        s += legend(p, x0: x0, y0: y0, w: w, h: h)
        if let bar = p.colourBar { s += colourBar(bar, x: x0 + w + 18, y0: y0, h: h, id: id) }
        return s
    }

    /// The rotated y-axis title: 15 px, smaller for a short panel, on two lines if still too long.
    private func yTitle(_ title: String, x x0: Double, middle: Double, room: Double) -> String {
        let perChar = 0.56
        var size = min(15, max(12, room / (Double(title.count) * perChar)))
        var lines = [title]
        if Double(title.count) * perChar * size > room, let split = title.indices.filter({ title[$0] == " " })
            .min(by: { abs(title.distance(from: title.startIndex, to: $0) - title.count / 2) < abs(title.distance(from: title.startIndex, to: $1) - title.count / 2) }) {
            lines = [String(title[..<split]), String(title[title.index(after: split)...])]
            size = min(14, max(11, room / (Double(lines.map(\.count).max()!) * perChar)))
        }
        let x = lines.count == 1 ? x0 - 60 : x0 - 70
        let spans = lines.enumerated().map { k, line in "<tspan x=\"0\" dy=\"\(k == 0 ? "0" : "1.15em")\">\(escape(line))</tspan>" }.joined()
        return "<text transform=\"translate(\(f(x)),\(f(middle))) rotate(-90)\" text-anchor=\"middle\" font-size=\"\(f(size))\">\(spans)</text>\n"
    }

    private func legend(_ p: Panel, x0: Double, y0: Double, w: Double, h: Double) -> String {
        let named = p.curves.filter { !$0.label.isEmpty }
        guard !named.isEmpty, p.legend != .none else { return "" }
        let maxChars = max(8, Int((w * 0.62 - 52) / 7.2))
        let labels = named.map { $0.label.count > maxChars ? String($0.label.prefix(maxChars - 1)) + "…" : $0.label }
        let boxW = Double(labels.map(\.count).max() ?? 0) * 7.2 + 52, boxH = Double(named.count) * 21 + 8
        let right = p.legend == .topRight || p.legend == .bottomRight
        let lower = p.legend == .bottomRight || p.legend == .bottomLeft
        let bx = right ? x0 + w - boxW - 6 : x0 + 6, by = lower ? y0 + h - boxH - 6 : y0 + 6
        var s = "<g class=\"legend\">\n"
        s += "<rect x=\"\(f(bx))\" y=\"\(f(by))\" width=\"\(f(boxW))\" height=\"\(f(boxH))\" fill=\"white\" fill-opacity=\"0.88\" stroke=\"#999\"/>\n"
        for (k, (c, label)) in zip(named, labels).enumerated() {
            let ly = by + 18 + Double(k) * 21
            s += "<line x1=\"\(f(bx + 8))\" y1=\"\(f(ly - 4))\" x2=\"\(f(bx + 38))\" y2=\"\(f(ly - 4))\" stroke=\"\(c.color)\" stroke-width=\"\(c.width)\"\(dash(c))/>\n"
            if c.markers { s += "<circle cx=\"\(f(bx + 23))\" cy=\"\(f(ly - 4))\" r=\"3.5\" fill=\"\(c.color)\"/>\n" }
            s += "<text x=\"\(f(bx + 46))\" y=\"\(f(ly))\" font-size=\"13\">\(escape(label))</text>\n"
        }
        return s + "</g>\n"
    }

    private func colourBar(_ bar: ColourBar, x: Double, y0: Double, h: Double, id: Int) -> String {
        let unit = DisplayUnit.choose(for: bar.quantity.units, values: [bar.lo, bar.hi])
        var s = "<defs><linearGradient id=\"ramp\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for k in 0...10 {
            s += "<stop offset=\"\(Double(k) / 10)\" stop-color=\"\(bar.ramp.hex(Double(k) / 10))\"/>"
        }
        s += "</linearGradient></defs>\n"
        s += "<rect class=\"colour-bar\" x=\"\(f(x))\" y=\"\(f(y0))\" width=\"16\" height=\"\(f(h))\" fill=\"url(#ramp\(id))\" stroke=\"black\"/>\n"
        let axis = Axis(lo: bar.lo * unit.factor, hi: bar.hi * unit.factor, tight: true, log: bar.log)
        for t in axis.ticks {
            let Y = y0 + h - axis.fraction(t) * h
            s += "<line x1=\"\(f(x + 16))\" y1=\"\(f(Y))\" x2=\"\(f(x + 21))\" y2=\"\(f(Y))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(x + 24))\" y=\"\(f(Y + 4))\" font-size=\"12\">\(Axis.label(t))</text>\n"
        }
        s += "<text transform=\"translate(\(f(x + 84)),\(f(y0 + h / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">\(escape(bar.quantity.title(unit)))</text>\n"
        return s
    }

    /// The heat map as an embedded PNG (at most 1200 pixels a side, nearest cell).
    private func image(_ m: HeatMap, bar: ColourBar, x: Double, y: Double, w: Double, h: Double) -> String {
        let pw = min(m.nx, 1200), ph = min(m.ny, 1200)
        var rgb = [UInt8](repeating: 0, count: pw * ph * 3)
        for row in 0..<ph {
            let j = (ph - 1 - row) * m.ny / ph   // the top image row is the largest y
            for col in 0..<pw {
                let i = col * m.nx / pw, k = j * m.nx + i
                let v = m.values[k]
                let (r, g, b): (UInt8, UInt8, UInt8) = m.masked?[k] == true ? (170, 170, 170)
                    : v.isFinite ? bar.ramp.rgb(bar.fraction(v)) : (255, 255, 255)
                let o = (row * pw + col) * 3
                rgb[o] = r
                rgb[o + 1] = g
                rgb[o + 2] = b
            }
        }
        let png = PNGEncoder.encode(width: pw, height: ph, rgb: rgb).base64EncodedString()
        return "<image class=\"heat-map\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(png)\"/>\n"
    }

    private func dash(_ c: Curve) -> String { c.dash.isEmpty ? "" : " stroke-dasharray=\"\(c.dash)\"" }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
