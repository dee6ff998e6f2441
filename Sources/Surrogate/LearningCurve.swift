import Foundation

/// Test MAE against training-set size, the fit MAE ≈ a − b·ln N (the logarithmic improvement the
/// surrogate papers report), and its SVG plot.
public struct LearningCurve: Sendable, Equatable {
    /// One trained model: training samples N, seed, test metrics, wall seconds.
    public struct Point: Sendable, Equatable {
        public var trainingSamples: Int
        public var seed: UInt64
        public var mae: Double
        public var maeR1: Double
        public var seconds: Double
        public init(trainingSamples: Int, seed: UInt64, mae: Double, maeR1: Double, seconds: Double) {
            self.trainingSamples = trainingSamples
            self.seed = seed
            self.mae = mae
            self.maeR1 = maeR1
            self.seconds = seconds
        }
    }

    public var points: [Point]
    public init(points: [Point]) { self.points = points }

    /// Training settings for one point of the curve: `fraction` of the `full` training samples,
    /// `seed`, and the same optimiser budget and learning-rate path for every size. A subset gets
    /// epochs = budgetEpochs / fraction (as many Adam steps as `budgetEpochs` passes over the full
    /// set), and its per-epoch decay d is rescaled to d^(budgetEpochs / epochs), so that the rate
    /// after the budget, lr₀ d^budgetEpochs, is the same for all sizes. (With d per epoch unchanged,
    /// a 1/16 subset run for 32 epochs at d = 0.8 ended at 8e-4 lr₀: frozen after a third of its
    /// steps.) No early stopping, checkpoints or time limit.
    public static func settings(base: SurrogateTrainingSettings, fraction: Double, full: Int, seed: UInt64,
                                budgetEpochs: Int) -> SurrogateTrainingSettings {
        var settings = base
        settings.seed = seed
        settings.trainingSamples = max(1, Int((fraction * Double(full)).rounded()))
        settings.epochs = max(1, Int((Double(budgetEpochs) / fraction).rounded()))
        settings.decay = Foundation.pow(base.decay, Double(budgetEpochs) / Double(settings.epochs))
        settings.checkpointEvery = 0
        settings.patience = 0
        settings.timeLimitMinutes = 0
        return settings
    }

    /// Least-squares a, b of MAE = a − b·ln N over all points, and R².
    public var fit: (a: Double, b: Double, rSquared: Double) {
        let x = points.map { Foundation.log(Double($0.trainingSamples)) }, y = points.map(\.mae)
        let n = Double(x.count)
        guard n >= 2 else { return (y.first ?? .nan, 0, .nan) }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxx = zip(x, x).map { ($0 - mx) * ($1 - mx) }.reduce(0, +)
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let slope = sxx > 0 ? sxy / sxx : 0
        let a = my - slope * mx
        var ssRes = 0.0
        for (xi, yi) in zip(x, y) { let r = yi - (a + slope * xi); ssRes += r * r }
        let ssTot = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        return (a, -slope, ssTot > 0 ? 1 - ssRes / ssTot : .nan)
    }

    /// Mean test MAE per training-set size, ascending N.
    public var means: [(n: Int, mae: Double)] {
        Dictionary(grouping: points, by: \.trainingSamples).map { ($0.key, $0.value.map(\.mae).reduce(0, +) / Double($0.value.count)) }
            .sorted { $0.0 < $1.0 }
    }

    /// CSV: training_samples,seed,test_mae,test_mae_r1,seconds.
    public var csv: String {
        "training_samples,seed,test_mae,test_mae_r1,seconds\n" + points.map {
            "\($0.trainingSamples),\($0.seed),\($0.mae),\($0.maeR1),\(String(format: "%.1f", $0.seconds))"
        }.joined(separator: "\n") + "\n"
    }

    /// Points from the `csv` text (e.g. several runs of one seed each, joined); throws on a bad line.
    public init(csv text: String, source: String) throws {
        var points: [Point] = []
        for (k, line) in text.split(separator: "\n").enumerated() where k > 0 && !line.isEmpty {
            let f = line.split(separator: ",").map { String($0) }
            guard f.count == 5, let n = Int(f[0]), let seed = UInt64(f[1]), let mae = Double(f[2]), let r1 = Double(f[3]),
                  let seconds = Double(f[4]) else {
                throw SurrogateError("\(source):\(k + 1): expected training_samples,seed,test_mae,test_mae_r1,seconds, got '\(line)'")
            }
            points.append(Point(trainingSamples: n, seed: seed, mae: mae, maeR1: r1, seconds: seconds))
        }
        self.init(points: points)
    }

    /// An SVG plot (log N on x, MAE on y): every run as a dot, the per-size means joined, the fit dashed.
    public func svg(title: String) -> String {
        let w = 640.0, h = 420.0, left = 80.0, right = 20.0, top = 40.0, bottom = 60.0
        let ns = points.map { Double($0.trainingSamples) }, ys = points.map(\.mae)
        guard let nMin = ns.min(), let nMax = ns.max(), let yMaxData = ys.max(), let yMinData = ys.min() else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
        }
        let lx0 = Foundation.log10(nMin) - 0.1, lx1 = Foundation.log10(max(nMax, nMin * 1.01)) + 0.1
        let pad = 0.08 * max(yMaxData - yMinData, 1e-6)
        let y0 = max(0, yMinData - pad), y1 = yMaxData + pad
        func px(_ n: Double) -> Double { left + (Foundation.log10(n) - lx0) / (lx1 - lx0) * (w - left - right) }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(w / 2))" y="22" text-anchor="middle" font-size="14">\(title)</text>
            <line x1="\(f(left))" y1="\(f(h - bottom))" x2="\(f(w - right))" y2="\(f(h - bottom))" stroke="black"/>
            <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(h - bottom))" stroke="black"/>

            """
        // x ticks at the sizes used; y ticks: 5 even steps.
        for n in Set(points.map(\.trainingSamples)).sorted() {
            let x = px(Double(n))
            s += "<line x1=\"\(f(x))\" y1=\"\(f(h - bottom))\" x2=\"\(f(x))\" y2=\"\(f(h - bottom + 5))\" stroke=\"black\"/>"
            s += "<text x=\"\(f(x))\" y=\"\(f(h - bottom + 18))\" text-anchor=\"middle\">\(n)</text>\n"
        }
        for k in 0...5 {
            let v = y0 + (y1 - y0) * Double(k) / 5, y = py(v)
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(y))\" x2=\"\(f(left))\" y2=\"\(f(y))\" stroke=\"black\"/>"
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(w - right))\" y2=\"\(f(y))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(String(format: "%.2e", v))</text>\n"
        }
        s += "<text x=\"\(f((left + w - right) / 2))\" y=\"\(f(h - 15))\" text-anchor=\"middle\">training samples N (log scale)</text>\n"
        s += "<text x=\"18\" y=\"\(f((top + h - bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f((top + h - bottom) / 2)))\">test MAE (c / max c)</text>\n"
        let fit = self.fit
        let fx0 = nMin, fx1 = nMax
        s += "<line x1=\"\(f(px(fx0)))\" y1=\"\(f(py(fit.a - fit.b * Foundation.log(fx0))))\" x2=\"\(f(px(fx1)))\" y2=\"\(f(py(fit.a - fit.b * Foundation.log(fx1))))\" stroke=\"#d62728\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>\n"
        let m = means
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"" + m.map { "\(f(px(Double($0.n)))),\(f(py($0.mae)))" }.joined(separator: " ") + "\"/>\n"
        for p in points {
            s += "<circle cx=\"\(f(px(Double(p.trainingSamples))))\" cy=\"\(f(py(p.mae)))\" r=\"3.5\" fill=\"#1f77b4\" fill-opacity=\"0.6\"/>\n"
        }
        s += "<text x=\"\(f(w - right - 10))\" y=\"\(f(top + 16))\" text-anchor=\"end\" fill=\"#d62728\">MAE ≈ \(String(format: "%.3e", fit.a)) − \(String(format: "%.3e", fit.b))·ln N  (R² = \(String(format: "%.2f", fit.rSquared)))</text>\n"
        s += "<text x=\"\(f(w - right - 10))\" y=\"\(f(top + 32))\" text-anchor=\"end\" fill=\"#1f77b4\">dots: one seed each; line: mean over seeds</text>\n"
        s += "</svg>\n"
        return s
    }
}
