import Foundation
import HDF5Kit

/// The `dns-tissue` file (DESIGN §5) and its ParaView sidecar.
///
/// HDF5: `/grid/x` (nx), `/grid/y` (ny): cell centres (m); `/fields/mask` (uint8, 1 = cell),
/// `/fields/solid_fraction`, `/fields/c` (mol m-3), `/fields/u`, `/fields/v` (m s-1, cell-centred means
/// of the MAC face velocities), `/fields/p` (Pa, NaN inside cells), all (ny, nx); `/dns` holds the
/// parameters, the achieved geometry and flow statistics, the global balance and timings as
/// attributes.
///
/// XDMF (`NAME.xdmf` beside `NAME.h5`): a `3DCoRectMesh` one cell thick in z with
/// `Dimensions="2 ny+1 nx+1"` (points, z y x), `ORIGIN_DXDYDZ` in z, y, x order, cell-centred
/// attributes of `Dimensions="1 ny nx"` referencing `NAME.h5:/fields/…` relative to the `.xdmf`.
/// ParaView then shows x along X and y along Y (a `2DCoRectMesh` would land in its y–z plane).
public enum TissueDNSFile {
    public static let kind = "dns-tissue"
    /// Cell-centred fields written to the file and listed in the XDMF sidecar: (name, units, long name).
    public static let fields: [(name: String, units: String, longName: String)] = [
        ("c", "mol m-3", "concentration (both phases)"),
        ("u", "m s-1", "x velocity, cell-centred mean of the MAC face values"),
        ("v", "m s-1", "y velocity, cell-centred mean of the MAC face values"),
        ("p", "Pa", "pressure, periodic part + G (L - x); NaN inside cells"),
        ("solid_fraction", "1", "cell (sigma) area fraction of the grid cell"),
        ("mask", "1", "1 = cell (solid fraction >= 1/2), 0 = extracellular fluid"),
    ]

    /// Writes the HDF5 file atomically into an open file's root (header is the caller's).
    public static func write(_ r: TissueStripResult, geometryDescription: String, to file: HDF5File) throws {
        let g = r.grid
        let grid = try file.root.createGroup("grid")
        try grid.write("x", (0..<g.nx).map { g.centreX($0) }, units: "m", longName: "cell-centre x (along the strip)")
        try grid.write("y", (0..<g.ny).map { g.centreY($0) }, units: "m", longName: "cell-centre y (across the strip)")
        try grid.setAttribute("h", g.h)
        try grid.setAttribute("nx", g.nx)
        try grid.setAttribute("ny", g.ny)
        let fg = try file.root.createGroup("fields")
        let shape = [g.ny, g.nx]
        let (u, v) = r.cellCentredVelocity()
        let data: [String: [Double]] = ["c": r.concentration, "u": u, "v": v, "p": r.pressure(), "solid_fraction": r.solidFraction]
        for f in Self.fields where f.name != "mask" {
            try fg.write(f.name, data[f.name]!, shape: shape, units: f.units, longName: f.longName)
        }
        try fg.write("mask", r.mask, shape: shape, units: "1", longName: "1 = cell (solid fraction >= 1/2), 0 = extracellular fluid")

        let d = try file.root.createGroup("dns")
        let s = r.spec
        let b = r.transport.balance
        let attributes: [(String, Double)] = [
            ("sample_length", r.sampleGrid.width), ("height", g.height), ("length", g.width), ("grid_spacing", g.h),
            ("porosity_target", s.porosity), ("porosity_grid", r.gridPorosity), ("porosity_geometry", r.geometryPorosity),
            ("effective_radius", s.effectiveRadius), ("effective_radius_geometry", r.geometryRadius),
            ("intrinsic_velocity_target", s.intrinsicVelocity), ("intrinsic_velocity", r.achievedVelocity),
            ("peclet", r.achievedPeclet), ("peclet_target", s.peclet), ("body_force", r.bodyForce),
            ("km", s.km), ("Ka", s.Ka), ("cL", s.inletConcentration), ("Dr", s.diffusivityRatio), ("D_beta", s.fluidDiffusivity),
            ("viscosity", s.viscosity), ("peak_velocity_ratio", r.peakVelocityRatio), ("max_cell_peclet", r.maxCellPeclet),
            ("inflow", b.inflow), ("outflow", b.outflow), ("uptake", b.uptake), ("relative_imbalance", b.relativeImbalance),
            ("geometry_seconds", r.geometrySeconds), ("flow_seconds", r.flowSeconds), ("transport_seconds", r.transportSeconds),
        ]
        for (name, value) in attributes { try d.setAttribute(name, value) }
        try d.setAttribute("copies", s.copies)
        try d.setAttribute("cells_per_sample", r.cellsPerSample)
        try d.setAttribute("newton_iterations", r.transport.iterations)
        try d.setAttribute("geometry", geometryDescription)
        try d.setAttribute("convection", s.convection.rawValue)
        try d.setAttribute("units", "SI: m, m s-1, Pa, Pa m-1 (body_force), mol m-3, mol m-3 s-1 (km), m2 s-1, mol m-1 s-1 (inflow, outflow, uptake per metre of depth), s")
    }

    /// The XDMF sidecar text for a strip of nx × ny cells of side h whose HDF5 file is `h5Name`
    /// (a path relative to the `.xdmf`, normally the bare file name).
    public static func xdmf(nx: Int, ny: Int, h: Double, h5Name: String) -> String {
        let hs = String(format: "%.17g", h)
        var s = """
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>
            <Xdmf Version="3.0" xmlns:xi="http://www.w3.org/2001/XInclude">
              <Domain>
                <Grid Name="tissue_strip" GridType="Uniform">
                  <Topology TopologyType="3DCoRectMesh" Dimensions="2 \(ny + 1) \(nx + 1)"/>
                  <Geometry GeometryType="ORIGIN_DXDYDZ">
                    <DataItem Name="Origin" Dimensions="3" NumberType="Float" Precision="8" Format="XML">0 0 0</DataItem>
                    <DataItem Name="Spacing" Dimensions="3" NumberType="Float" Precision="8" Format="XML">\(hs) \(hs) \(hs)</DataItem>
                  </Geometry>

            """
        for f in fields {
            let type = f.name == "mask" ? "NumberType=\"UChar\" Precision=\"1\"" : "NumberType=\"Float\" Precision=\"8\""
            s += """
                      <Attribute Name="\(f.name)" AttributeType="Scalar" Center="Cell">
                        <DataItem Dimensions="1 \(ny) \(nx)" \(type) Format="HDF">\(h5Name):/fields/\(f.name)</DataItem>
                      </Attribute>

                """
        }
        s += """
                </Grid>
              </Domain>
            </Xdmf>

            """
        return s
    }

    /// The sidecar path of an HDF5 path: NAME.h5 → NAME.xdmf.
    public static func sidecarPath(for h5Path: String) -> String {
        let ns = h5Path as NSString
        let ext = ns.pathExtension
        return (ext.isEmpty ? h5Path : ns.deletingPathExtension) + ".xdmf"
    }

    /// Writes the sidecar atomically (`.partial`, then rename) beside `h5Path`.
    public static func writeSidecar(nx: Int, ny: Int, h: Double, h5Path: String) throws {
        let path = sidecarPath(for: h5Path)
        let partial = path + ".partial"
        let text = xdmf(nx: nx, ny: ny, h: h, h5Name: (h5Path as NSString).lastPathComponent)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: partial))
        } catch {
            throw HDF5Error(file: path, message: "cannot write the XDMF sidecar: \(error.localizedDescription)")
        }
        if rename(partial, path) != 0 {
            unlink(partial)
            throw HDF5Error(file: path, message: "cannot rename the XDMF sidecar into place")
        }
    }

    /// What averaging needs from a `dns-tissue` file.
    public struct Contents: Sendable {
        public var nx: Int
        public var ny: Int
        public var h: Double
        /// (ny, nx) row-major.
        public var concentration: [Double]
        public var solidFraction: [Double]
        /// `/fields/mask` (ny, nx): true = cell (solid fraction >= 1/2 where the file has no mask).
        public var mask: [Bool]
        public var effectiveRadius: Double
        public var km: Double
        public var Ka: Double
        public var header: FileHeader
    }

    /// Reads a `dns-tissue` file; a file of another kind is an error naming both kinds.
    public static func read(path: String) throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error(file: path, message: "no such file") }
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file, expecting: kind, hint: "from `tissue dns tissue`")
        let grid = try file.root.group("grid")
        let nx = try grid.intAttribute("nx"), ny = try grid.intAttribute("ny")
        let (cells, overflow) = nx.multipliedReportingOverflow(by: ny)
        guard nx >= 1, ny >= 1, !overflow else {
            throw HDF5Error(file: path, object: "/grid", message: "nx = \(nx), ny = \(ny): expected at least one cell in each direction")
        }
        let h = try grid.doubleAttribute("h")
        try require(h > 0 && h < 1, path, "/grid@h", "h = \(h): expected a grid spacing in (0, 1) m")
        let c = try file.root.dataset("fields/c").read(Double.self)
        let f = try file.root.dataset("fields/solid_fraction").read(Double.self)
        guard c.count == cells, f.count == cells else {
            throw HDF5Error(file: path, message: "/fields/c or /fields/solid_fraction is not (\(ny), \(nx))")
        }
        if let k = c.firstIndex(where: { !$0.isFinite }) {
            throw HDF5Error(file: path, object: "/fields/c", message: "value \(c[k]) at (j, i) = (\(k / nx), \(k % nx)) is not finite")
        }
        if let k = f.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw HDF5Error(file: path, object: "/fields/solid_fraction",
                            message: "value \(f[k]) at (j, i) = (\(k / nx), \(k % nx)) is outside [0, 1]")
        }
        let d = try file.root.group("dns")
        let r = try d.doubleAttribute("effective_radius"), km = try d.doubleAttribute("km"), Ka = try d.doubleAttribute("Ka")
        // (Bounded: the default window is 4 r_eff, which must stay finite.)
        try require(r > 0 && r < 1, path, "/dns@effective_radius", "effective_radius = \(r): expected a length in (0, 1) m")
        try require(km >= 0 && km.isFinite, path, "/dns@km", "km = \(km): expected a rate >= 0 in mol m-3 s-1")
        try require(Ka > 0 && Ka.isFinite, path, "/dns@Ka", "Ka = \(Ka): expected a positive concentration in mol m-3")
        // (A file without /fields/mask: the mask's definition, solid fraction >= 1/2.)
        let mask = file.root.contains("fields/mask") ? try file.root.dataset("fields/mask").read(UInt8.self).map { $0 != 0 } : f.map { $0 >= 0.5 }
        guard mask.count == cells else { throw HDF5Error(file: path, message: "/fields/mask is not (\(ny), \(nx))") }
        return Contents(nx: nx, ny: ny, h: h, concentration: c, solidFraction: f, mask: mask,
                        effectiveRadius: r, km: km, Ka: Ka, header: header)
    }

    private static func require(_ condition: Bool, _ path: String, _ object: String, _ message: @autoclosure () -> String) throws {
        if !condition { throw HDF5Error(file: path, object: object, message: message()) }
    }
}
