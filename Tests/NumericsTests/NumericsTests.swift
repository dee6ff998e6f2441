import Foundation
import Testing
@testable import Numerics

@Suite struct TridiagonalTests {
    @Test(arguments: [1, 2, 3, 10, 57])
    func thomasMatchesDenseLU(n: Int) throws {
        var rng = SplitMix64(seed: UInt64(n))
        for _ in 0..<5 {
            var sys = TridiagonalSystem(count: n)
            var rhs = [Double](repeating: 0, count: n)
            for i in 0..<n {
                sys.lower[i] = i > 0 ? rng.nextUniform() * 2 - 1 : 0
                sys.upper[i] = i < n - 1 ? rng.nextUniform() * 2 - 1 : 0
                sys.diagonal[i] = (abs(sys.lower[i]) + abs(sys.upper[i]) + 0.1 + rng.nextUniform()) * (rng.nextUniform() < 0.5 ? -1 : 1)
                rhs[i] = rng.nextUniform() * 10 - 5
            }
            var dense = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                dense[i * n + i] = sys.diagonal[i]
                if i > 0 { dense[i * n + i - 1] = sys.lower[i] }
                if i < n - 1 { dense[i * n + i + 1] = sys.upper[i] }
            }
            let x = try sys.solve(rhs)
            let y = try DenseLU.solve(matrix: dense, rhs: rhs)
            for i in 0..<n { #expect(abs(x[i] - y[i]) <= 1e-12 * max(1, abs(y[i]))) }
            let back = sys.multiply(x)
            for i in 0..<n { #expect(abs(back[i] - rhs[i]) <= 1e-11) }
        }
    }

    @Test func zeroPivotIsReported() {
        let sys = TridiagonalSystem(lower: [0, 1], diagonal: [0, 1], upper: [1, 0])
        #expect(throws: LinearSolveError.singularPivot(row: 0)) { try sys.solve([1, 1]) }
    }
}

@Suite struct MonotoneCubicTests {
    @Test func reproducesNodesAndLinearData() throws {
        let x = [0.0, 1, 2.5, 4, 7]
        let lin = try MonotoneCubicInterpolator(x: x, y: x.map { 3 * $0 - 1 })
        for t in stride(from: 0.0, through: 7, by: 0.13) { #expect(abs(lin(t) - (3 * t - 1)) < 1e-12) }
        let y = [0.0, 0.1, 5, 5.1, 9]
        let s = try MonotoneCubicInterpolator(x: x, y: y)
        for (xi, yi) in zip(x, y) { #expect(abs(s(xi) - yi) < 1e-12) }
        // Monotone data → monotone interpolant, no overshoot.
        var last = -Double.infinity
        for t in stride(from: 0.0, through: 7, by: 0.01) {
            let v = s(t)
            #expect(v >= last - 1e-12)
            #expect(v >= 0 && v <= 9)
            last = v
        }
        #expect(s(-1) == 0 && s(8) == 9)
    }

    @Test func rejectsBadTables() {
        #expect(throws: MonotoneCubicInterpolator.Problem.notIncreasing(index: 2)) {
            try MonotoneCubicInterpolator(x: [0, 1, 1], y: [0, 1, 2])
        }
        #expect(throws: MonotoneCubicInterpolator.Problem.tooFewPoints(1)) {
            try MonotoneCubicInterpolator(x: [0], y: [0])
        }
    }
}

@Suite struct BesselTests {
    @Test func knownValues() {
        // Abramowitz & Stegun table 9.8 / high-precision values.
        #expect(abs(ModifiedBessel.i0(1) - 1.2660658777520082) < 1e-14)
        #expect(abs(ModifiedBessel.i1(1) - 0.5651591039924851) < 1e-14)
        #expect(abs(ModifiedBessel.i0(5) - 27.239871823604442) < 1e-11)
        #expect(abs(ModifiedBessel.i1(5) - 24.335642142450524) < 1e-11)
        // Series and asymptotic branches meet continuously at x = 30.
        let below = ModifiedBessel.ratioI1I0(30), above = ModifiedBessel.ratioI1I0(30.000001)
        #expect(abs(below - above) < 1e-9)
    }
}

@Suite struct SplitMix64Tests {
    @Test func streamsAreReproducibleAndDistinct() {
        var a = SplitMix64.stream(seed: 7, index: 3), b = SplitMix64.stream(seed: 7, index: 3)
        var c = SplitMix64.stream(seed: 7, index: 4)
        let va = (0..<4).map { _ in a.next() }, vb = (0..<4).map { _ in b.next() }, vc = (0..<4).map { _ in c.next() }
        #expect(va == vb)
        #expect(va != vc)
        var u = SplitMix64(seed: 1)
        let m = (0..<10_000).map { _ in u.nextUniform() }.reduce(0, +) / 10_000
        #expect(abs(m - 0.5) < 0.02)
    }
}

@Suite struct SparseLUTests {
    /// 2-D 5-point Laplacian with Dirichlet boundaries against a manufactured solution, and a
    /// nonsymmetric random diagonally dominant matrix against dense LU.
    @Test func solvesPoissonAndMatchesDenseLU() throws {
        let m = 30, n = m * m, h = 1.0 / Double(m + 1)
        var b = SparseMatrixBuilder(rows: n, columns: n)
        for i in 0..<m { for j in 0..<m {
            let k = i * m + j
            b.add(k, k, 4)
            if i > 0 { b.add(k, k - m, -1) }
            if i < m - 1 { b.add(k, k + m, -1) }
            if j > 0 { b.add(k, k - 1, -1) }
            if j < m - 1 { b.add(k, k + 1, -1) }
        } }
        let a = b.build()
        #expect(a.nonZeros == 5 * n - 4 * m)
        let exact = (0..<n).map { k in sin(Double(k / m + 1) * h * 3) * Double(k % m + 1) * h }
        let x = try SparseLU(a).solve(a.multiply(exact))
        for k in 0..<n { #expect(abs(x[k] - exact[k]) < 1e-12) }

        var rng = SplitMix64(seed: 9)
        let size = 40
        var builder = SparseMatrixBuilder(rows: size, columns: size)
        var dense = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for _ in 0..<4 {
                let j = Int(rng.next() % UInt64(size)), v = rng.nextUniform() - 0.5
                builder.add(i, j, v)          // duplicates are summed
                dense[i * size + j] += v
            }
            builder.add(i, i, 3)
            dense[i * size + i] += 3
        }
        let rhs = (0..<size).map { _ in rng.nextUniform() }
        let xs = try SparseLU(builder.build()).solve(rhs)
        let xd = try DenseLU.solve(matrix: dense, rhs: rhs)
        for i in 0..<size { #expect(abs(xs[i] - xd[i]) < 1e-12) }
    }

    @Test func singularMatrixIsReported() throws {
        var b = SparseMatrixBuilder(rows: 2, columns: 2)
        b.add(0, 0, 1); b.add(0, 1, 1); b.add(1, 0, 1); b.add(1, 1, 1)
        #expect(throws: SparseSolveError.self) { try SparseLU(b.build()).solve([1, 2]) }
    }
}

@Suite struct SparseRefactorTests {
    /// Re-factoring new values on the same pattern gives the same answer as a fresh factorisation.
    @Test func refactorMatchesFreshFactorisation() throws {
        var b = SparseMatrixBuilder(rows: 3, columns: 3)
        for (i, j, v) in [(0, 0, 4.0), (0, 1, 1.0), (1, 0, 1.0), (1, 1, 3.0), (1, 2, -1.0), (2, 1, 2.0), (2, 2, 5.0)] { b.add(i, j, v) }
        var a = b.build()
        let lu = try SparseLU(a)
        let rhs = [1.0, 2.0, 3.0]
        a.values = a.values.map { $0 * 1.5 + 0.25 }
        try lu.refactor(values: a.values)
        let x1 = try lu.solve(rhs), x2 = try SparseLU(a).solve(rhs)
        for i in 0..<3 { #expect(abs(x1[i] - x2[i]) < 1e-14) }
        #expect(throws: SparseSolveError.self) { try lu.refactor(values: [1, 2]) }
    }
}
