import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plotting

/// Parses SVG text as XML and counts elements by name and class.
final class SVGCount: NSObject, XMLParserDelegate {
    var curves = 0, images = 0, colourBars = 0, texts: [String] = []
    private var inText = false

    static func parse(_ svg: String) throws -> SVGCount {
        let counter = SVGCount()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.propertyListReadCorrupt) }
        return counter
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "polyline" && attributes["class"] == "curve" { curves += 1 }
        if name == "image" && attributes["class"] == "heat-map" { images += 1 }
        if name == "rect" && attributes["class"] == "colour-bar" { colourBars += 1 }
        if name == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }
}

@Suite struct PlotDrawingTests {
    @Test func profilePlotHasAxesLegendAndBothPanels() throws {
        let x = (0..<50).map { Double($0) * 1e-7 }
        let plot = ProfilePlot(title: "t & <s>", subtitle: "s",
                               profiles: [.init(label: "upscaled", x: x, y: x.map { 2 - 1e6 * $0 }, color: "#000"),
                                          .init(label: "DNS", x: x, y: x.map { 2 - 0.9e6 * $0 }, color: "#f00")],
                               etas: [.init(label: "η", x: x, y: x.map { _ in 0.8 }, color: "#00f")], excludedBelow: 1e-7)
        let svg = try SVGCount.parse(plot.svg())
        #expect(svg.curves == 3)
        #expect(svg.texts.contains("x (µm)"))
        #expect(svg.texts.contains("⟨c⟩^β (mol m⁻³)"))
        #expect(svg.texts.contains("η (1)"))
        #expect(svg.texts.contains("upscaled") && svg.texts.contains("DNS"))
        #expect(svg.texts.contains("t & <s>"))
    }

    @Test func unitsGetAReadablePrefix() {
        #expect(DisplayUnit.choose(for: "m", values: [0, 20e-6]).symbol == "µm")
        #expect(DisplayUnit.choose(for: "m", values: [0, 680e-6]).symbol == "µm")
        #expect(DisplayUnit.choose(for: "m", values: [0, 2e-3]).symbol == "mm")
        #expect(DisplayUnit.choose(for: "s", values: [1e-3, 0.05]).symbol == "ms")
        #expect(DisplayUnit.choose(for: "s", values: [0, 600]).symbol == "min")
        #expect(DisplayUnit.choose(for: "mol m-3", values: [0, 2]) == DisplayUnit(symbol: "mol m⁻³", factor: 1))
        #expect(DisplayUnit.pretty("m2 s-1") == "m² s⁻¹")
        let uptake = DisplayUnit.choose(for: "mol m-2 s-1", values: [7e-5, 7.1e-4])
        #expect(uptake.symbol == "10⁻⁴ mol m⁻² s⁻¹" && abs(uptake.factor - 1e4) < 1e-9)
        #expect(DisplayUnit.choose(for: "1", values: [2e5]).symbol == "10⁵")
        #expect(DisplayUnit.pretty("1") == "1")
    }

    @Test func ticksAreNiceNumbers() {
        let a = Axis(lo: 0, hi: 1.93)
        #expect(a.lo == 0 && a.hi >= 1.93)
        #expect(a.ticks.allSatisfy { ($0 * 10).rounded() == $0 * 10 })
        let log = Axis(lo: 0.3, hi: 400, log: true)
        #expect(log.ticks.count == 5 && abs(log.lo - 0.1) < 1e-15 && abs(log.hi - 1000) < 1e-9)
        #expect(Axis.label(0.25) == "0.25" && Axis.label(20) == "20")
    }

    @Test func heatMapWithColourBarAndMask() throws {
        let nx = 30, ny = 10
        let values = (0..<(nx * ny)).map { Double($0 % nx) / Double(nx) }
        let masked = (0..<(nx * ny)).map { ($0 / nx + $0 % nx) % 7 == 0 }
        var panel = Panel(x: Quantity("x", units: "m"), y: Quantity("y", units: "m"), height: 200)
        panel.heatMap = HeatMap(nx: nx, ny: ny, values: values, masked: masked, x: 0...3e-6, y: 0...1e-6)
        panel.colourBar = ColourBar(Quantity("c", units: "mol m-3"), lo: 0, hi: 1)
        let svg = Figure(title: "field", rows: [[panel]]).svg()
        let count = try SVGCount.parse(svg)
        #expect(count.images == 1 && count.colourBars == 1 && count.curves == 0)
        #expect(count.texts.contains("c (mol m⁻³)") && count.texts.contains("x (µm)"))
        // The embedded PNG decodes: signature and IHDR size.
        let b64 = svg.components(separatedBy: "base64,")[1].prefix { $0 != "\"" }
        let png = try #require(Data(base64Encoded: String(b64)))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(png[16..<24] == Data([0, 0, 0, 30, 0, 0, 0, 10]))
    }

    @Test func panelsSideBySideWithLogAxes() throws {
        var a = Panel(x: Quantity("Pe", units: "1"), y: Quantity("uptake", units: "mol m-2 s-1"),
                      curves: [Curve(label: "", x: [1, 10, 100], y: [3, 2, 1], color: "#000", markers: true)], height: 150)
        a.logX = true
        var b = a
        b.logY = true
        let svg = try SVGCount.parse(Figure(title: "sweep", rows: [[a, b]]).svg())
        #expect(svg.curves == 2)
        #expect(svg.texts.contains("uptake (mol m⁻² s⁻¹)"))
    }

    @Test func rampRunsFromDarkToBright() {
        #expect(ColourRamp.viridis.hex(0) == "#440154")
        #expect(ColourRamp.viridis.hex(1) == "#fde725")
        #expect(ColourRamp.viridis.hex(2) == "#fde725")
    }

    /// A subnormal largest value gets a finite power of ten (10^-e would otherwise be infinite).
    @Test func subnormalValuesGetAFiniteScale() {
        let unit = DisplayUnit.choose(for: "mol m-3", values: [4e-320, 0])
        #expect(unit.factor.isFinite && unit.factor > 0)
    }

}
