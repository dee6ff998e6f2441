import Foundation
import Testing
import Microscale

// Steady Stokes flow (StokesFlow.swift): exact and second-order channel flows with off-grid walls,
// discrete mass conservation, a dilute square array of cylinders against Sangani & Acrivos, and the
// unit-cell Pe/PL against the COMSOL table in data/reference.

/// Cells filling y < lower and y > upper (the tile is periodic in y, so the two layers are one):
/// a plane channel.
private struct Channel: CellGeometry {
    let lower: Double
    let upper: Double
    func isSolid(x: Double, y: Double) -> Bool { y < lower || y > upper }
}

/// A channel along the diagonal (1, 1) of a square periodic tile of side `period`·√2: fluid where the
/// normal coordinate n = (y − x)/√2, taken modulo `period`, lies in (lower, upper).
private struct DiagonalChannel: CellGeometry {
    let period: Double
    let lower: Double
    let upper: Double
    func normal(_ x: Double, _ y: Double) -> Double {
        let n = (y - x) / 2.0.squareRoot()
        return n - (n / period).rounded(.down) * period
    }
    func isSolid(x: Double, y: Double) -> Bool {
        let n = normal(x, y)
        return n < lower || n > upper
    }
}

/// The COMSOL unit-cell table (the project's copy in data/reference).
private enum ReferenceTable {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/reference/Comsol_output_Pe_u_Brinkman__Phi2_III__R8192_1.csv")

    /// (r (m), Pe/PL (Pa⁻¹)) per row; throws (failing the test) when the table cannot be read.
    static func pecletPerPressureDrop() throws -> [(radius: Double, pePerPL: Double)] {
        // The project's own reader of the COMSOL table (rows with reference Pe).
        try readUnitCellTable(path: file.path).compactMap { row in
            guard let pe = row.referencePeclet, row.inputs.pressureDrop > 0 else { return nil }
            return (row.inputs.radius, pe / row.inputs.pressureDrop)
        }
    }

    static func nearest(_ r: Double, in rows: [(radius: Double, pePerPL: Double)]) -> (radius: Double, pePerPL: Double) {
        rows.min { abs($0.radius - r) < abs($1.radius - r) }!
    }
}

/// Discrete divergence (s⁻¹) of face velocities on any grid (non-periodic indexing: faces 0…nx, 0…ny).
private func divergence(_ f: FaceVelocities) -> [Double] {
    let g = f.grid
    var d = [Double](repeating: 0, count: g.cellCount)
    for j in 0..<g.ny {
        for i in 0..<g.nx {
            d[g.index(i, j)] = (f.u[j * (g.nx + 1) + i + 1] - f.u[j * (g.nx + 1) + i] + f.v[(j + 1) * g.nx + i] - f.v[j * g.nx + i]) / g.h
        }
    }
    return d
}

private func order(_ coarse: Double, _ fine: Double) -> Double { log2(coarse / fine) }

@Suite struct StokesFlowTests {
    // MARK: Plane Poiseuille flow with walls off the grid lines

    /// Max error of u over the fluid u nodes (relative to the centre-line speed) and max |v| (same scale)
    /// for the channel a < y < b of a 1 µm tile: u = G/(2μ) (y − a)(b − y).
    private func channelErrors(ny: Int, wall: WallTreatment) throws -> (u: Double, v: Double) {
        let height = 1e-6, a = 0.1234e-6, b = 0.8071e-6, mu = 1e-3, g = 2e3
        let grid = Grid2D(nx: 4, ny: ny, h: height / Double(ny))
        let flow = try StokesFlow.periodicTile(geometry: Channel(lower: a, upper: b), grid: grid, viscosity: mu, bodyForce: g, wall: wall)
        let centre = g / (8 * mu) * (b - a) * (b - a)
        var eu = 0.0
        for j in 0..<ny {
            let y = grid.centreY(j)
            let exact = y > a && y < b ? g / (2 * mu) * (y - a) * (b - y) : 0
            for i in 0...grid.nx { eu = max(eu, abs(flow.velocities.u[j * (grid.nx + 1) + i] - exact)) }
        }
        let ev = flow.velocities.v.map { abs($0) }.max()!
        return (eu / centre, ev / centre)
    }

    @Test func planeChannelIsExactWithShortleyWeller() throws {
        // The consistent three-point formula on unequal arms is exact for a parabola; what is left
        // comes from the wall position, found by bisection to 1e-6 h.
        for ny in [16, 32, 64] {
            let e = try channelErrors(ny: ny, wall: .shortleyWeller)
            #expect(e.u < 1e-6, "ny = \(ny): max |u − u_exact| / u_max = \(e.u)")
            #expect(e.v < 1e-12, "ny = \(ny): max |v| / u_max = \(e.v)")
        }
    }

    @Test func planeChannelConvergesAtSecondOrderWithSymmetricWalls() throws {
        let e = try [16, 32, 64].map { try channelErrors(ny: $0, wall: .symmetric).u }
        let orders = [order(e[0], e[1]), order(e[1], e[2])]
        print("Poiseuille, symmetric cut walls: max errors \(e), orders \(orders)")
        #expect(e[2] < 1e-3)
        for p in orders { #expect(p > 1.8 && p < 2.5, "observed order \(p), errors \(e)") }
    }

    /// Channel along the grid diagonal: every wall node is cut in both directions, and continuity in
    /// cut cells is exercised. Exact: u = v = G/(4μ) (n − a)(b − n).
    @Test(arguments: WallTreatment.allCases)
    func diagonalChannel(wall: WallTreatment) throws {
        let side = 1e-6, mu = 1e-3, g = 1e3
        let period = side / 2.0.squareRoot()
        let band = DiagonalChannel(period: period, lower: 0.1 * period + 0.0123e-6, upper: 0.83 * period)
        let centre = g / (16 * mu) * (band.upper - band.lower) * (band.upper - band.lower)
        var errors: [Double] = []
        let sizes = [16, 32, 64, 128]
        for n in sizes {
            let grid = Grid2D(nx: n, ny: n, h: side / Double(n))
            let flow = try StokesFlow.periodicTile(geometry: band, grid: grid, viscosity: mu, bodyForce: g, wall: wall)
            func exact(_ x: Double, _ y: Double) -> Double {
                if band.isSolid(x: x, y: y) { return 0 }
                let m = band.normal(x, y)
                return g / (4 * mu) * (m - band.lower) * (band.upper - m)
            }
            var e = 0.0
            for j in 0..<n {
                for i in 0..<n {
                    e = max(e, abs(flow.velocities.u[j * (n + 1) + i] - exact(Double(i) * grid.h, grid.centreY(j))))
                    e = max(e, abs(flow.velocities.v[j * n + i] - exact(grid.centreX(i), Double(j) * grid.h)))
                }
            }
            errors.append(e / centre)
        }
        switch wall {
        case .shortleyWeller:
            for (n, e) in zip(sizes, errors) { #expect(e < 1e-6, "N = \(n): max error \(e)") }
        case .symmetric:
            // Fitted order over the four grids (single steps scatter with the cut positions).
            let fitted = log2(errors[0] / errors[3]) / 3
            print("diagonal channel, symmetric cut walls: max errors \(errors), fitted order \(fitted)")
            #expect(fitted > 1.8, "errors \(errors)")
        }
    }

    // MARK: Mass conservation

    @Test(arguments: [(0.75e-6, 48), (1.02e-6, 60)])
    func unitCellIsDivergenceFree(radius: Double, n: Int) throws {
        let flow = try StokesFlow.unitCellRow(radius: radius, cellsPerTile: n, pressureDrop: 100)
        let g = flow.grid
        let speed = (flow.velocities.u + flow.velocities.v).map { abs($0) }.max()!
        #expect(speed > 0)
        let div = flow.divergence()
        let worst = div.map { abs($0) }.max()! * g.h / speed
        #expect(worst < 1e-12, "max |∇·u| h / max|u| = \(worst)")
        let q0 = flow.flux(throughColumn: 0)
        #expect(q0 > 0)
        for i in 0...g.nx { #expect(abs(flow.flux(throughColumn: i) - q0) <= 1e-12 * q0, "flux through column \(i)") }
        // y = 0 is a mirror line of the lattice: no net flux through it.
        let vFlux = (0..<g.nx).reduce(0.0) { $0 + flow.velocities.v[$1] } * g.h
        #expect(abs(vFlux) <= 1e-10 * q0)
        #expect(abs(flow.superficialVelocity * g.height - q0) <= 1e-14 * q0)
        #expect(abs(flow.intrinsicVelocity - flow.superficialVelocity / UnitCellRow.porosity(radius: radius)) <= 1e-14 * flow.intrinsicVelocity)
        #expect(abs(flow.porosity - UnitCellRow.porosity(radius: radius)) < 0.01)
        // Pressure: NaN only where a grid cell has no fluid face, e.g. at the centre circle's centre.
        #expect(flow.pressure[g.index(n / 2, n / 2)].isNaN)
        #expect(flow.pressure[g.index(n / 2, n / 10)].isFinite)

        // The five-tile row stays divergence-free with the same flux.
        let row = flow.tiled(alongX: 5)
        #expect(row.grid.nx == 5 * n && row.grid.ny == n)
        #expect(divergence(row).map { abs($0) }.max()! * g.h / speed < 1e-12)
        for j in 0..<n {
            for k in 0...5 { #expect(row.u[j * (5 * n + 1) + k * n] == flow.velocities.u[j * (n + 1)]) }
        }
    }

    /// `unitCellRow` solves half the tile with a sheared periodic edge; it must equal a full-tile solve.
    @Test(arguments: WallTreatment.allCases)
    func halfTileWithShearEqualsFullTile(wall: WallTreatment) throws {
        let r = 0.93e-6, n = 40
        let half = try StokesFlow.unitCellRow(radius: r, cellsPerTile: n, pressureDrop: 10, wall: wall)
        let full = try StokesFlow.periodicTile(geometry: UnitCellRow.cells(radius: r, tiles: 1),
                                               grid: Grid2D(nx: n, ny: n, h: UnitCellRow.tileSize / Double(n)),
                                               bodyForce: StokesFlow.bodyForceForRow(pressureDrop: 10),
                                               porosity: UnitCellRow.porosity(radius: r), wall: wall)
        #expect(half.grid == full.grid)
        let scale = full.velocities.u.map { abs($0) }.max()!
        for (a, b) in zip(half.velocities.u + half.velocities.v, full.velocities.u + full.velocities.v) {
            #expect(abs(a - b) <= 1e-10 * scale)
        }
        let pScale = full.pressure.filter { !$0.isNaN }.map { abs($0) }.max()!
        for (a, b) in zip(half.pressure, full.pressure) {
            #expect(a.isNaN == b.isNaN)
            if !a.isNaN { #expect(abs(a - b) <= 1e-9 * pScale) }
        }
        #expect(abs(half.intrinsicVelocity / full.intrinsicVelocity - 1) < 1e-12)
        #expect(abs(half.porosity - full.porosity) < 1e-12)
    }

    @Test func flowIsLinearInTheDrivingForce() throws {
        let one = try StokesFlow.unitCellRow(radius: 0.8e-6, cellsPerTile: 30, pressureDrop: 1)
        let many = try StokesFlow.unitCellRow(radius: 0.8e-6, cellsPerTile: 30, pressureDrop: 2500)
        let scaled = one.scaled(by: 2500)
        #expect(abs(many.bodyForce - 2500 / 15e-6) <= 1e-9 * many.bodyForce)
        #expect(abs(scaled.bodyForce - many.bodyForce) <= 1e-12 * many.bodyForce)
        let scale = many.velocities.u.map { abs($0) }.max()!
        for (a, b) in zip(scaled.velocities.u + scaled.velocities.v, many.velocities.u + many.velocities.v) {
            #expect(abs(a - b) <= 1e-12 * scale)
        }
        #expect(abs(scaled.intrinsicVelocity / many.intrinsicVelocity - 1) < 1e-12)
    }

    // MARK: Curved walls: a dilute square array of cylinders

    /// Drag on one cylinder per square cell of side L at area fraction c, flow across the cylinders,
    /// F/(μU) = 4π / (−½ ln c − 0.738 + c − 0.887 c² + 2.039 c³ + O(c⁴)), U the superficial velocity
    /// (Sangani & Acrivos 1982, Int. J. Multiphase Flow 8, 193). In the periodic tile F = G L².
    @Test(arguments: [0.05, 0.1])
    func squareArrayDragMatchesSanganiAcrivos(c: Double) throws {
        let side = 1e-6, n = 80
        let cylinder = CircleCells([Circle(x: side / 2, y: side / 2, radius: (c / Double.pi).squareRoot() * side)])
        let flow = try StokesFlow.periodicTile(geometry: cylinder, grid: Grid2D(nx: n, ny: n, h: side / Double(n)), bodyForce: 1e3)
        let drag = flow.bodyForce * side * side / (flow.viscosity * flow.superficialVelocity)
        let series = 4 * Double.pi / (-0.5 * log(c) - 0.738 + c - 0.887 * c * c + 2.039 * c * c * c)
        print("square array c = \(c), N = \(n): F/(μU) = \(drag), Sangani–Acrivos \(series), ratio \(drag / series)")
        #expect(abs(drag / series - 1) < 3e-3)
    }

    // MARK: The reference unit cell against COMSOL

    /// Pe/PL = r ⟨v⟩^β / (Dβ PL) against the table's rows nearest to the given radii (issue 5: within 3 %).
    /// At 60 cells per tile the gap between the centre and corner circles (2.12 µm − 2r) has fewer than
    /// 2.5 cells for r > 0.94 µm and Pe scatters by several per cent there, so the two largest radii
    /// are checked at 240 cells per tile.
    @Test func pecletPerPressureDropMatchesComsol() throws {
        let rows = try ReferenceTable.pecletPerPressureDrop()
        #expect(rows.count == 8192)
        for (target, n) in [(0.5e-6, 60), (0.6e-6, 60), (0.75e-6, 60), (0.9e-6, 60), (1.0e-6, 240), (1.02e-6, 240)] {
            let reference = ReferenceTable.nearest(target, in: rows)
            let flow = try StokesFlow.unitCellRow(radius: reference.radius, cellsPerTile: n, pressureDrop: 1)
            let ours = flow.peclet(radius: reference.radius, diffusivity: 1e-10)
            print(String(format: "Pe/PL at r = %.4f µm, N = %d: ours %.4e, COMSOL %.4e, ratio %.4f",
                         reference.radius * 1e6, n, ours, reference.pePerPL, ours / reference.pePerPL))
            #expect(abs(ours / reference.pePerPL - 1) < 0.03, "r = \(reference.radius), N = \(n)")
        }
    }

    // MARK: Bad input

    @Test func rejectsBadInput() {
        #expect(throws: StokesFlowError.self) { try StokesFlow.unitCellRow(radius: 1.07e-6, cellsPerTile: 30, pressureDrop: 1) }
        #expect(throws: StokesFlowError.self) { try StokesFlow.unitCellRow(radius: 0, cellsPerTile: 30, pressureDrop: 1) }
        #expect(throws: StokesFlowError.self) { try StokesFlow.unitCellRow(radius: 0.5e-6, cellsPerTile: 2, pressureDrop: 1) }
        #expect(throws: StokesFlowError.self) { try StokesFlow.unitCellRow(radius: 1.05e-6, cellsPerTile: 30, pressureDrop: 1) }
        #expect(throws: StokesFlowError.noWalls) {
            try StokesFlow.periodicTile(geometry: CircleCells([]), grid: Grid2D(nx: 8, ny: 8, h: 1e-7), bodyForce: 1)
        }
        #expect(throws: StokesFlowError.self) {
            try StokesFlow.periodicTile(geometry: Channel(lower: 0.1, upper: 0.9), grid: Grid2D(nx: 4, ny: 8, h: 0.125), bodyForce: 1, porosity: 1.5)
        }
    }

    // MARK: Opt-in report (STOKES_FLOW_REPORT=1; best in a release build)

    /// Pe/PL against COMSOL and solve times (best of STOKES_REPEATS) for radii × grids, e.g.
    /// `STOKES_FLOW_REPORT=1 STOKES_N=60,120,240 swift test -c release -Xswiftc -enable-testing --filter StokesFlowTests/report`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STOKES_FLOW_REPORT"] != nil))
    func report() throws {
        let rows = try ReferenceTable.pecletPerPressureDrop()
        let env = ProcessInfo.processInfo.environment
        let sizes = (env["STOKES_N"] ?? "60,120").split(separator: ",").compactMap { Int($0) }
        let radii = (env["STOKES_R"] ?? "0.5,0.6,0.75,0.9,1.0,1.02").split(separator: ",").compactMap { Double($0) }.map { $0 * 1e-6 }
        let walls: [WallTreatment] = env["STOKES_WALL"] == "symmetric" ? [.symmetric] : [.shortleyWeller]
        let repeats = Int(env["STOKES_REPEATS"] ?? "1") ?? 1
        for wall in walls {
            for n in sizes {
                for target in radii {
                    let reference = ReferenceTable.nearest(target, in: rows)
                    var seconds = Double.infinity
                    var solved: FlowSolution?
                    for _ in 0..<repeats {
                        let start = Date()
                        solved = try StokesFlow.unitCellRow(radius: reference.radius, cellsPerTile: n, pressureDrop: 1, wall: wall)
                        seconds = min(seconds, Date().timeIntervalSince(start))
                    }
                    let flow = solved!
                    let ours = flow.peclet(radius: reference.radius)
                    print(String(format: "%@ N=%d r=%.4f µm εβ=%.4f Pe/PL ours=%.4e COMSOL=%.4e ratio=%.4f time=%.3f s", "\(wall)", n,
                                 reference.radius * 1e6, flow.averagingPorosity, ours, reference.pePerPL, ours / reference.pePerPL, seconds))
                }
            }
        }
    }
}
