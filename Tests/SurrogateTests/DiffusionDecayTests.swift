import Foundation
import Numerics
import Testing
@testable import Surrogate

@Suite struct DiffusionDecayTests {
    static func parameters(n: Int = 24, radius: Double = 3) throws -> DiffusionDecayParameters {
        try DiffusionDecayParameters(latticeSize: n, diffusivity: 1, decayRate: 1.0 / 400, sourceRadius: radius,
                                     sourcesMin: 1, sourcesMax: 3, strengthMin: 0.1)
    }

    /// The sparse direct solve is the exact solution of the discrete problem: it matches the
    /// discrete-sine eigen-series to round-off.
    @Test func directSolveMatchesTheDiscreteEigenSeries() throws {
        let p = try Self.parameters()
        let solver = try DiffusionDecaySolver(p)
        let alpha = p.sourceMap(p.sources(seed: 9, index: 4))
        let c = try solver.solve(sourceMap: alpha)
        let series = DiffusionDecaySeries.discrete(p, sourceMap: alpha)
        let peak = c.max()!
        let worst = zip(c, series).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-10 * peak, "max |LU − series| = \(worst), max c = \(peak)")
    }

    /// A single disk source against the continuum eigen-series of the absorbing square
    /// (L = N + 1): the lattice solution carries the 5-point truncation error and the
    /// pixelated disk edge; the mean error is below 1 % of the peak and falls as the same
    /// physical problem is resolved by more pixels (R and √(D/γ) scaled with N).
    @Test func singleSourceMatchesTheContinuumEigenSeries() throws {
        var errors: [Double] = []
        for (n, radius) in [(40, 4.0), (80, 8.0)] {
            let scale = Double(n) / 40
            let p = try DiffusionDecayParameters(latticeSize: n, diffusivity: 1, decayRate: 1.0 / (64 * scale * scale),
                                                 sourceRadius: radius, sourcesMin: 1, sourcesMax: 1, strengthMin: 1)
            let centre = Double(n - 1) / 2 + 0.3
            let alpha = p.sourceMap([DiskSource(x: centre, y: centre - 0.2, strength: 1)])
            let c = try DiffusionDecaySolver(p).solve(sourceMap: alpha)
            let exact = DiffusionDecaySeries.continuum(p, centreX: centre, centreY: centre - 0.2, modes: 2 * n)
            let peak = exact.max()!
            let mean = zip(c, exact).map { abs($0 - $1) }.reduce(0, +) / Double(c.count) / peak
            errors.append(mean)
        }
        #expect(errors[0] < 1e-2, "mean |lattice − series| / peak = \(errors[0]) at N = 40")
        #expect(errors[1] < errors[0] * 0.6, "error must fall with resolution: \(errors)")
    }

    @Test func samplesDependOnlyOnSeedAndIndex() throws {
        let p = try Self.parameters()
        let a = p.sources(seed: 1, index: 7), b = p.sources(seed: 1, index: 7), c = p.sources(seed: 1, index: 8)
        #expect(a == b && a != c)
        #expect((1...3).contains(a.count))
        for s in a { #expect(s.x >= 3 && s.x <= 20 && s.y >= 3 && s.y <= 20 && s.strength >= 0.1 && s.strength <= 1) }
        let alpha = p.sourceMap(a)
        #expect(alpha.max() == 1 && alpha.min() == 0)
        let disk = alpha.filter { $0 > 0 }.count
        #expect(disk >= 25 && disk <= 3 * 29, "pixels of ≤ 3 disks of radius 3: \(disk)")
    }

    @Test func badParametersAreRejected() {
        #expect(throws: SurrogateError.self) {
            try DiffusionDecayParameters(latticeSize: 20, diffusivity: 1, decayRate: 0.01, sourceRadius: 12, sourcesMin: 1, sourcesMax: 2, strengthMin: 0.1)
        }
        #expect(throws: SurrogateError.self) {
            try DiffusionDecayParameters(latticeSize: 20, diffusivity: 1, decayRate: 0, sourceRadius: 3, sourcesMin: 1, sourcesMax: 2, strengthMin: 0.1)
        }
        #expect(throws: SurrogateError.self) {
            try DiffusionDecayParameters(latticeSize: 20, diffusivity: 1, decayRate: 0.1, sourceRadius: 3, sourcesMin: 3, sourcesMax: 2, strengthMin: 0.1)
        }
    }
}
