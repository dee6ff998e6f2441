import Foundation
import HDF5Kit
import Microscale
import Testing

/// `TissueDNSFile.read` refuses values that would break the averaging (found by the `dns-tissue`
/// fuzz target's design review: negative nx and ny whose product matched the field size trapped in
/// `FluidColumnSums`; a zero effective radius failed the window-width precondition).
@Suite struct TissueDNSFileTests {
    /// A minimal `dns-tissue` file of 3 × 2 cells with the given values.
    private func write(_ path: String, nx: Int = 3, ny: Int = 2, h: Double = 1e-7, c: [Double]? = nil,
                       solid: [Double]? = nil, radius: Double = 4.7e-7, km: Double = 226, Ka: Double = 1) throws {
        let file = try HDF5File.create(path)
        try FileHeader(kind: TissueDNSFile.kind, programVersion: "test", config: "", seed: 1).write(to: file)
        let grid = try file.root.createGroup("grid")
        try grid.setAttribute("nx", nx)
        try grid.setAttribute("ny", ny)
        try grid.setAttribute("h", h)
        let fields = try file.root.createGroup("fields")
        try fields.write("c", c ?? [2, 1.5, 1, 2, 1.5, 1], units: "mol m-3", longName: "c")
        try fields.write("solid_fraction", solid ?? [0, 0.5, 1, 0, 0, 0], units: "1", longName: "f")
        let dns = try file.root.createGroup("dns")
        try dns.setAttribute("effective_radius", radius)
        try dns.setAttribute("km", km)
        try dns.setAttribute("Ka", Ka)
        try file.close()
    }

    @Test func validFileReads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dns-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(path)
        let d = try TissueDNSFile.read(path: path)
        #expect(d.nx == 3 && d.ny == 2 && d.concentration.count == 6 && d.Ka == 1)
        #expect(d.mask == [false, true, true, false, false, false])   // no /fields/mask: solid fraction >= 1/2
    }

    @Test(arguments: [
        ("nx = -3, ny = -2", "expected at least one cell"),
        ("nx = 2^62, ny = 4", "expected at least one cell"),
        ("h = 0", "expected a grid spacing in (0, 1) m"),
        ("h = nan", "expected a grid spacing in (0, 1) m"),
        ("c = inf", "is not finite"),
        ("solid = 1.5", "outside [0, 1]"),
        ("solid = nan", "outside [0, 1]"),
        ("radius = 0", "effective_radius = 0.0"),
        ("radius = 1e308", "effective_radius = 1e+308"),
        ("km = -1", "km = -1.0"),
        ("Ka = 0", "Ka = 0.0"),
    ])
    func badValuesAreNamed(_ damage: String, _ message: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dns-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        switch damage {
        case "nx = -3, ny = -2": try write(path, nx: -3, ny: -2)
        case "nx = 2^62, ny = 4": try write(path, nx: 1 << 62, ny: 4)
        case "h = 0": try write(path, h: 0)
        case "h = nan": try write(path, h: .nan)
        case "c = inf": try write(path, c: [2, 1, .infinity, 1, 1, 1])
        case "solid = 1.5": try write(path, solid: [0, 0, 1.5, 0, 0, 0])
        case "solid = nan": try write(path, solid: [0, 0, 0, 0, .nan, 0])
        case "radius = 0": try write(path, radius: 0)
        case "radius = 1e308": try write(path, radius: 1e308)  // 4 r_eff = inf: trapped in the window (fuzz target `dns-tissue`)
        case "km = -1": try write(path, km: -1)
        default: try write(path, Ka: 0)
        }
        let error = #expect(throws: HDF5Error.self) { _ = try TissueDNSFile.read(path: path) }
        #expect(error.map { "\($0)".contains(message) && "\($0)".contains(path) } == true, "\(String(describing: error))")
    }
}
