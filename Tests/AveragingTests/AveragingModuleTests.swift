import Foundation
import HDF5Kit
import Testing
@testable import Averaging

/// A 2-D test field on nx × ny cells of side h with a fixed pattern of cells (solid fractions in [0, 1]).
private struct TestStrip {
    let nx = 40, ny = 7
    let h = 0.25
    var length: Double { Double(nx) * h }
    /// Fractions: a few full cells, some partial ones, and one fully solid column-free pattern.
    var solid: [Double] {
        (0..<(nx * ny)).map { k in
            let i = k % nx, j = k / nx
            if (i + 2 * j) % 5 == 0 { return 1 }
            if (i * j) % 7 == 3 { return 0.4 }
            return 0
        }
    }
    func field(_ f: (Double, Double) -> Double) -> [Double] {
        (0..<(nx * ny)).map { k in f((Double(k % nx) + 0.5) * h, (Double(k / nx) + 0.5) * h) }
    }
}

@Suite struct AveragingOperatorTests {
    @Test func constantFieldAveragesExactly() {
        let s = TestStrip()
        let c = s.field { _, _ in 1.7 }
        let sec = Averages.section(field: c, fluidFraction: s.solid.map { 1 - $0 }, nx: s.nx, ny: s.ny)
        let sums = FluidColumnSums(field: c, fluidFraction: s.solid.map { 1 - $0 }, nx: s.nx, ny: s.ny)
        let win = Averages.window(sums, h: s.h, width: 1.3)
        // Round-off only: a weighted mean of equal values.
        #expect(sec.allSatisfy { abs($0 - 1.7) < 1e-14 })
        #expect(win.allSatisfy { abs($0 - 1.7) < 1e-14 })
    }

    /// c = a + b x over the β phase: the section average at a column is a + b xᵢ (c is constant along
    /// the column); the window average of a column-constant field with uniform fluid weight per column
    /// is the mean of a + b x over the (truncated) window.
    @Test func linearFieldAveragesExactly() {
        let s = TestStrip()
        let c = s.field { x, _ in 2 - 0.1 * x }
        let fluid = s.solid.map { 1 - $0 }
        let sec = Averages.section(field: c, fluidFraction: fluid, nx: s.nx, ny: s.ny)
        for i in 0..<s.nx {
            #expect(abs(sec[i] - (2 - 0.1 * (Double(i) + 0.5) * s.h)) < 1e-13)
        }
        // Uniform fluid weight per column (no cells): window average = mean of the piecewise-constant
        // column values over [a, b] = a + b·(centre of the window) for the exact piecewise field, up to
        // the piecewise-constant representation: check against the exact integral of the column values.
        let uniform = [Double](repeating: 1, count: s.nx * s.ny)
        let sums = FluidColumnSums(field: c, fluidFraction: uniform, nx: s.nx, ny: s.ny)
        let w = 4 * s.h   // whole columns: interior windows cover exactly 4 columns
        let win = Averages.window(sums, h: s.h, width: w, at: [5.0, 7.5])
        // Window [4, 6] (columns 16..23 centred 4.125…5.875) → mean x = 5: 2 − 0.5 = 1.5.
        #expect(abs(win[0] - 1.5) < 1e-13)
        #expect(abs(win[1] - (2 - 0.75)) < 1e-13)
    }

    /// At x = 0 the window is [0, W/2] (truncated, not shifted): for c = x it averages to W/4.
    @Test func windowIsTruncatedAtTheEnds() {
        let n = 1000, h = 0.01
        let c = (0..<n).map { (Double($0) + 0.5) * h }   // c = x, piecewise constant
        let sums = FluidColumnSums(weighted: c, weights: [Double](repeating: 1, count: n))
        let w = 2.0
        let v = Averages.window(sums, h: h, width: w, at: [0, 10, 5, 9.5])
        #expect(abs(v[0] - w / 4) < 1e-12)           // [0, 1] → 0.5
        #expect(abs(v[1] - (10 - w / 4)) < 1e-12)    // [9, 10] → 9.5
        #expect(abs(v[2] - 5) < 1e-12)               // interior
        #expect(abs(v[3] - 9.25) < 1e-12)            // [8.5, 10] → 9.25
    }

    /// A fractional column at the window edge counts with its covered width.
    @Test func partialColumnsAreWeightedByTheirCoveredWidth() {
        let sums = FluidColumnSums(weighted: [0, 10, 0], weights: [1, 1, 1])
        // Window [0.5, 2.25] over columns [0,1],[1,2],[2,3]: weights 0.5, 1, 0.25 → 10/1.75.
        let v = Averages.window(sums, h: 1, width: 1.75, at: [1.375])
        #expect(abs(v[0] - 10 / 1.75) < 1e-14)
    }

    @Test func fluidWeightingIgnoresCellValues() {
        // Column of two grid cells: one fluid (c = 1), one fully cell phase (c = 100).
        let sec = Averages.section(field: [1, 100], fluidFraction: [1, 0], nx: 1, ny: 2)
        #expect(sec == [1])
    }

    @Test func filterOfALinearProfileIsExactInTheInterior() {
        let x = (0..<200).map { (Double($0) + 0.5) * 0.1 }
        let c = x.map { 3 - 0.1 * $0 }
        let f = Averages.filter(x: x, c: c, width: 2, lower: 0, upper: 20)
        for k in 20..<180 { #expect(abs(f[k] - c[k]) < 1e-12) }
        // At x₀ = 0.05 the window is cut to [0, 1.05]: columns 0…9 whole and half of column 10.
        var integral = 0.05 * c[10]
        for k in 0..<10 { integral += 0.1 * c[k] }
        #expect(abs(f[0] - integral / 1.05) < 1e-12)
    }

    @Test func windowEtaOfUniformConcentrationIsOne() {
        // c uniform in both phases → ⟨R⟩^σ = R(⟨c⟩^β) → η = 1.
        let nx = 10, ny = 4
        let f = (0..<(nx * ny)).map { $0 % 3 == 0 ? 0.6 : 0.0 }
        let a = AveragedProfile(concentration: [Double](repeating: 0.8, count: nx * ny), solidFraction: f, nx: nx, ny: ny,
                                h: 1, windowWidth: 3, effectiveRadius: 1, km: 5, Ka: 1)
        #expect(a.windowEta!.allSatisfy { abs($0 - 1) < 1e-13 })
    }
}

@Suite struct ProfileComparisonTests {
    @Test func metricsOfHandMadeProfiles() throws {
        let x = [0.0, 1, 2, 3, 4]
        let b = Profile(x: x, c: [2, 2, 1, 1, 0.5], label: "b", kind: "average", effectiveRadius: 3)
        let a = Profile(x: x, c: [2.2, 2, 1.1, 0.9, 0.5], label: "a", kind: "upscaled")
        let r = try ProfileComparison(a, against: b)
        // |a−b|/b = 0.1, 0, 0.1, 0.1, 0 → mean 0.06; max abs 0.2 at x = 0; L2 = √((0.04+0.01+0.01)/5).
        #expect(abs(r.meanRelativeError - 0.06) < 1e-14)
        #expect(abs(r.maxAbsoluteError - 0.2) < 1e-14)
        #expect(r.maxAbsoluteErrorAt == 0)
        #expect(abs(r.l2Error - (0.06 / 5).squareRoot()) < 1e-14)
        #expect(abs(r.relativeL2Error - (0.06 / (4 + 4 + 1 + 1 + 0.25)).squareRoot()) < 1e-14)
        // Skipping x < 1 leaves 0, 0.1, 0.1, 0 → 0.05.
        let s = try ProfileComparison(a, against: b, xMin: 1)
        #expect(abs(s.meanRelativeError - 0.05) < 1e-14)
        #expect(s.points == 4)
    }

    @Test func interpolatesOntoTheReferenceGrid() throws {
        let a = Profile(x: [0, 2, 4], c: [4, 2, 0], label: "a", kind: "upscaled")
        let b = Profile(x: [1, 3, 5], c: [3, 1, 7], label: "b", kind: "reference")
        let r = try ProfileComparison(a, against: b)
        // x = 5 lies outside A's range: not compared.
        #expect(r.x == [1, 3])
        #expect(r.cA == [3, 1])
        #expect(r.meanRelativeError == 0)
    }

    @Test func disjointProfilesAreAnError() {
        let a = Profile(x: [0, 1], c: [1, 1], label: "a", kind: "upscaled")
        let b = Profile(x: [5, 6], c: [1, 1], label: "b", kind: "reference")
        #expect(throws: ComparisonError.self) { try ProfileComparison(a, against: b) }
    }
}

@Suite struct AveragingFileTests {
    @Test func referenceCSVIsReadInMicrometres() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("avg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ref.csv").path
        try "% comment\n0,2\n0.5,1.5\n1.0,1.0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let p = try ProfileLoader.loadCSV(path)
        #expect(p.x == [0, 0.5e-6, 1.0e-6])
        #expect(p.c == [2, 1.5, 1])
        try "x,c\n0,1\nfoo,bar\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: HDF5Error.self) { try ProfileLoader.loadCSV(path) }
    }
}
