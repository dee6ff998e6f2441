import Foundation
import Testing
import Microscale

/// Cells filling y < lower and y > upper: a plane channel, for Poiseuille flow.
private struct Channel: CellGeometry {
    let lower: Double
    let upper: Double
    func isSolid(x: Double, y: Double) -> Bool { y < lower || y > upper }
}

/// The COMSOL unit-cell table (`../shared/reference`), if present: (r, Pe/PL) per row.
private enum ReferenceTable {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/reference")
    static let file = directory.appendingPathComponent("Comsol_output_Pe_u_Brinkman__Phi2_III__R8192_1.csv")

    /// Rows as (r (m), Pe/PL (Pa⁻¹)), or nil with the reason when the table is absent.
    static func pecletPerPressureDrop() -> [(radius: Double, pePerPL: Double)]? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            print("StokesFlowTests: skipping the COMSOL comparison: reference table not found at \(file.path) (a clone without ../shared/reference)")
            return nil
        }
        var rows: [(Double, Double)] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("%") {
            let f = line.split(separator: ",")
            guard f.count > 7, let r = Double(f[0]), let pl = Double(f[2]), let pe = Double(f[7]) else { continue }
            rows.append((r, pe / pl))
        }
        return rows
    }

    /// The row whose radius is nearest to `r`.
    static func nearest(_ r: Double, in rows: [(radius: Double, pePerPL: Double)]) -> (radius: Double, pePerPL: Double) {
        rows.min { abs($0.radius - r) < abs($1.radius - r) }!
    }
}

@Suite struct StokesFlowTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STOKES_REPORT"] != nil))
    func report() throws {
        guard let rows = ReferenceTable.pecletPerPressureDrop() else { return }
        let ns = (ProcessInfo.processInfo.environment["STOKES_N"] ?? "60,120").split(separator: ",").map { Int($0)! }
        let rs = (ProcessInfo.processInfo.environment["STOKES_R"] ?? "0.5,0.6,0.75,0.9,1.0,1.02").split(separator: ",").map { Double($0)! * 1e-6 }
        for n in ns {
            for target in rs {
                let ref = ReferenceTable.nearest(target, in: rows)
                let t0 = Date()
                let flow = try StokesFlow.unitCellRow(radius: ref.radius, cellsPerTile: n, pressureDrop: 1)
                let dt = Date().timeIntervalSince(t0)
                let ours = flow.peclet(radius: ref.radius)
                let g = flow.grid, vel = flow.velocities
                var speed = 0.0, ux = 0.0
                for j in 0..<g.ny { for i in 0..<g.nx {
                    let uc = 0.5 * (vel.u[j * (g.nx + 1) + i] + vel.u[j * (g.nx + 1) + i + 1])
                    let vc = 0.5 * (vel.v[j * g.nx + i] + vel.v[(j + 1) * g.nx + i])
                    speed += (uc * uc + vc * vc).squareRoot(); ux += uc } }
                speed /= Double(g.cellCount) * flow.averagingPorosity; ux /= Double(g.cellCount) * flow.averagingPorosity
                print(String(format: "N=%d r=%.5e eps=%.4f ours=%.4e ref=%.4e ratio=%.4f t=%.3fs speed/u=%.4f ucentre/u=%.4f", n, ref.radius, flow.averagingPorosity,
                             ours, ref.pePerPL, ours / ref.pePerPL, dt, speed / flow.intrinsicVelocity, ux / flow.intrinsicVelocity))
            }
        }
    }
}

@Suite struct StokesExplore {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STOKES_SA"] != nil))
    func sangani() throws {
        let L = 1e-6
        for c in [0.01, 0.05, 0.1, 0.2] {
            let r = (c / Double.pi).squareRoot() * L
            let sa = 4 * Double.pi / (-0.5 * log(c) - 0.738 + c - 0.887 * c * c + 2.039 * c * c * c)
            for n in [20, 40, 80, 160, 320] {
                let geo = CircleCells([Circle(x: L / 2, y: L / 2, radius: r)])
                let flow = try StokesFlow.periodicTile(geometry: geo, grid: Grid2D(nx: n, ny: n, h: L / Double(n)), bodyForce: 1)
                let drag = flow.bodyForce * L * L / (flow.viscosity * flow.superficialVelocity)
                print(String(format: "c=%.2f N=%d drag=%.6f SA=%.6f rel=%+.3e", c, n, drag, sa, drag / sa - 1))
            }
        }
    }
}
