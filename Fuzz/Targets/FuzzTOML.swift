/// Fuzz target: the TOML configuration loader and validator (`ScenarioLoader`).
///
/// Input: byte 0 chooses the kind of file (0 scenario, 1 tissue, 2 training config); the rest is
/// the file's bytes. Lines `#set section.key=value` (TOML comments, so the file still parses)
/// are also passed as `--set` overrides. A scenario may name `tissue.toml`, a valid brain tissue
/// file written beside it. Accepted: a loaded configuration, or a `ScenarioError` naming the file
/// (or `--set`) and the problem. Anything else crashes the run.
import Foundation
import Config
import Macroscale
import Scenario

private let tissuePath: String = {
    // A valid tissue file next to the fuzzed scenario (`file = "tissue.toml"`).
    FuzzSupport.write(Array(FuzzSupport.tissueText.utf8), to: "tissue.toml")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = tissuePath
    let kind = bytes[0] % 3
    let body = bytes.dropFirst()
    let name = ["scenario.toml", "tissue-under-test.toml", "train.toml"][Int(kind)]
    let path = FuzzSupport.write(body, to: name)
    let overrides = String(decoding: body, as: UTF8.self)
        .split(whereSeparator: \.isNewline)
        .filter { $0.hasPrefix("#set ") }
        .map { String($0.dropFirst(5)) }
    do {
        switch kind {
        case 0:
            let s = try ScenarioLoader.load(path: path, overrides: overrides)
            precondition(s.cells >= 3 && !s.resolvedTOML.isEmpty, "loaded scenario violates its own ranges")
            // What `tissue run` does before any work: count the time steps (must terminate).
            if let transient = s.transient {
                let steps = try TransientSolver(operator: FiniteVolumeOperator(problem: UpscaledProblem(
                    length: 1, porosity: 0.5, velocity: 0, dispersion: 1, km: 0, Ka: 1, inletConcentration: 1,
                    cellRadius: 1, thieleModulusSquared: 0, peclet: 0, diffusivityRatio: 1), cells: 3, convection: .central),
                    settings: transient).plannedSteps
                precondition(steps >= 1 && steps <= 10_000_000 + transient.outputTimes.count)
            }
        case 1:
            _ = try ScenarioLoader.loadTissue(path: path)
        default:
            let t = try ScenarioLoader.loadTraining(path: path, overrides: overrides)
            precondition(!t.features.isEmpty && !t.hidden.isEmpty, "loaded training config violates its own ranges")
        }
    } catch let error as ScenarioError {
        for problem in error.allProblems {
            guard problem.file == path || problem.file == tissuePath || problem.file == "--set"
                    || problem.file.hasSuffix("tissue.toml") || problem.message.contains(path) else {
                fatalError("problem does not name the file: \(problem.file): \(problem.message)")
            }
            guard problem.message.contains(where: \.isLetter) else {
                fatalError("problem without a message: \(problem)")
            }
        }
    } catch {
        fatalError("unexpected error type \(type(of: error)): \(error)")
    }
    return 0
}
