import Foundation
import Testing

/// `tissue surrogate`: a tiny end-to-end run (generate → train → evaluate → predict) and the bad
/// inputs the issue names (R larger than the lattice, γ ≤ 0, a data set of another kind).
@Suite struct SurrogateCommandTests {
    static let config = CLI.root.appendingPathComponent("examples/surrogate.toml").path

    /// Overrides that shrink the example to a 20² lattice and a few samples, files in `dir`.
    static func tiny(_ dir: URL) -> [String] {
        ["problem.lattice_size=20", "problem.source_radius=2.0", "data.samples=24", "data.test_samples=6",
         "data.block_size=8", "network.channels=[4, 8]", "network.pool_factors=[2]", "training.epochs=2",
         "training.batch_size=4", "training.training_samples=0", "training.time_limit_minutes=0",
         "data.train=\(dir.path)/train.h5", "data.test=\(dir.path)/test.h5",
         "output.model=\(dir.path)/model.h5", "output.checkpoint=\(dir.path)/model.checkpoint.h5"].flatMap { ["--set", $0] }
    }

    @Test func tinyPipelineRunsEndToEnd() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try CLI.run(["surrogate", "generate", Self.config, "--quiet", "--json"] + Self.tiny(dir))
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(gen.stdout.contains("\"train_samples\":24"), "\(gen.stdout)")
        let train = try CLI.run(["surrogate", "train", Self.config, "--quiet", "--json"] + Self.tiny(dir))
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("validation_mae"), "\(train.stdout)")
        let eval = try CLI.run(["surrogate", "evaluate", "\(dir.path)/model.h5", "\(dir.path)/test.h5", "--json"])
        #expect(eval.status == 0 && eval.stdout.contains("mae_r1"), "\(eval.stderr)")
        let out = dir.appendingPathComponent("prediction.h5").path
        let predict = try CLI.run(["surrogate", "predict", "\(dir.path)/model.h5", "\(dir.path)/test.h5", "-o", out, "--quiet"])
        #expect(predict.status == 0, "\(predict.stderr)")
        #expect(FileManager.default.fileExists(atPath: out))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("prediction.xdmf").path))
        // A model is not a data set: a clear error, non-zero exit.
        let wrong = try CLI.run(["surrogate", "evaluate", "\(dir.path)/model.h5", "\(dir.path)/model.h5"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("surrogate-model") && wrong.stderr.contains("expected a 'surrogate-dataset'"), "\(wrong.stderr)")
    }

    /// A config edited to hold a bad value is rejected before any work, naming the file, the
    /// line's key, the value and the allowed range; the same through --set names the override.
    @Test func badParametersNameFileKeyValueAndRange() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOfFile: Self.config, encoding: .utf8)
        for (from, to, expected) in [("source_radius = 5.0", "source_radius = 60.0", ["source_radius", "60", "49.5"]),
                                     ("decay_rate = 0.0025", "decay_rate = 0.0", ["decay_rate", "0", "> 0"]),
                                     ("decay_rate = 0.0025", "decay_rate = -0.1", ["decay_rate", "-0.1", "> 0"])] {
            let path = dir.appendingPathComponent("bad.toml").path
            try original.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            let r = try CLI.run(["surrogate", "generate", path, "--quiet", "--set", "data.train=\(dir.path)/never.h5"])
            #expect(r.status != 0, "\(to)")
            #expect(r.stderr.contains(path), "\(to): \(r.stderr)")
            for e in expected { #expect(r.stderr.contains(e), "\(to): '\(e)' missing from \(r.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/never.h5"))
        }
        let viaSet = try CLI.run(["surrogate", "train", Self.config, "--quiet", "--set", "problem.decay_rate=0"])
        #expect(viaSet.status != 0 && viaSet.stderr.contains("decay_rate"), "\(viaSet.stderr)")
    }

    /// The shipped surrogate on the first 200 held-out fields of the example's test seed (1001): MAE
    /// 1.6054e-3, recorded 2026-12-07 with `tissue surrogate generate examples/surrogate.toml --only
    /// test --set data.test_samples=200` and `tissue surrogate evaluate models/surrogate-diffusion-
    /// decay-100.h5 …` (docs/surrogate.md's 1 000-field figure is 1.56e-3; bars MAE ≤ 2e-3, R1 ≤ 1e-2). A
    /// swapped or degraded model fails.
    @Test func shippedSurrogateKeepsItsRecordedAccuracy() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let test = dir.appendingPathComponent("test200.h5").path
        let g = try CLI.run(["surrogate", "generate", "examples/surrogate.toml", "--only", "test", "--quiet",
                             "--set", "data.test_samples=200", "--set", "data.test=\(test)"])
        #expect(g.status == 0, "\(g.stderr)")
        let e = try CLI.run(["surrogate", "evaluate", "models/surrogate-diffusion-decay-100.h5", test, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any] ?? [:]
        let mae = try #require(json["mae"] as? Double), r1 = try #require(json["mae_r1"] as? Double)
        #expect(abs(mae / 1.6054330858427293e-3 - 1) < 1e-6, "MAE \(mae)")
        #expect(mae <= 2e-3 && r1 <= 1e-2)
        #expect(json["samples"] as? Int == 200)
    }
}
