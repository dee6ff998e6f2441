import ArgumentParser
import Foundation
import Macroscale
import NeuralNet
import HDF5Kit
import Scenario

/// `tissue run CONFIG`: solve an upscaled scenario and write the `upscaled` HDF5 file.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Solve the 1-D upscaled tissue problem of a scenario and write an HDF5 file.")

    @Argument(help: "Scenario config (TOML), e.g. examples/brain.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Output file (default: the config's [output] file).")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Continue a transient run from OUTPUT.part.h5 (its saved state); the result is that of an uninterrupted run.")
    var resume = false

    @Option(help: "Transient runs: save the state to OUTPUT.part.h5 every N time steps (0 = only when stopped by a signal).")
    var checkpointEvery: Int = 50

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every \(checkpointEvery): expected ≥ 0") }
    }

    func run() throws {
        // The closure's GEMMs on one OpenBLAS thread: with two, OpenBLAS sums in another order and
        // the profile changes in the last bits (measured); results must not depend on the thread count.
        setBLASThreads(1)
        let scenario = try ScenarioLoader.load(path: config, overrides: overrides)
        let path = outputPath ?? scenario.outputPath
        if resume, output.finishedEarlier(path, kind: UpscaledFile.kind, config: scenario.resolvedTOML,
                                          seed: scenario.seed) { return }
        let run = try UpscaledRun(scenario: scenario)
        try output.checkOutput(path)
        Terminal.info("tissue run: \(scenario.tissue.name), \(scenario.mode.rawValue), \(scenario.cells) cells, closure: \(run.closure.summary)",
                      quiet: output.quiet || output.json)
        let bar = ProgressBar(label: "time steps", total: try run.plannedSteps(), quiet: output.quiet || scenario.mode == .steady)
        let part = OutputOptions.progressPath(path)
        if resume && !FileManager.default.fileExists(atPath: part) {
            throw UserError("--resume: no saved state at \(part) (start without --resume)")
        }
        let outcome: UpscaledRun.Outcome
        do {
            outcome = try run.solve(checkpointPath: scenario.mode == .transient ? part : nil,
                                    checkpointEvery: checkpointEvery, resume: resume,
                                    shouldStop: { StopSignal.requested }) { done, _ in bar.update(done) }
        } catch let stop as TransientInterrupted {
            throw StopSignal.exit("\(stop.description); state kept in \(part) (continue with --resume)")
        }
        try run.write(outcome, to: path)
        unlink(part)

        var summary: [String: Any] = ["output": path, "tissue": scenario.tissue.name, "mode": scenario.mode.rawValue,
                                      "cells": scenario.cells, "closure": run.closure.summary,
                                      "dispersion_m2_s": run.problem.dispersion]
        let c: [Double], eta: [Double]
        switch outcome {
        case .steady(let s):
            c = s.concentration; eta = s.eta
            summary["iterations"] = s.iterations
            summary["stop_criterion"] = s.criterion.rawValue
            summary["final_residual"] = s.residualHistory.last ?? 0
            summary["closure_calls"] = s.closureCalls
            summary["solver_seconds"] = s.wallSeconds
            summary["balance_relative"] = (s.inflow - s.outflow - s.uptake) / max(s.inflow, 1e-300)
            summary["clamped_inputs"] = s.clampedCounts
        case .transient(let s):
            c = s.concentration.last ?? []; eta = s.eta
            summary["steps"] = s.steps
            summary["output_times_s"] = s.times
            summary["closure_calls"] = s.closureCalls
            summary["solver_seconds"] = s.wallSeconds
            summary["clamped_inputs"] = s.clampedCounts
            if let first = s.firstStateExcursion {
                let e = first.excursion
                summary["state_excursion_steps"] = s.stateExcursionSteps
                Terminal.info("warning: closure input \(e.feature.name) = \(e.value) at t = \(first.time) s, x = \(first.x) m was far outside the network's training range [\(e.minimum), \(e.maximum)] (η clamped there); \(s.stateExcursionSteps) step(s) had such inputs (a front passing through); the final state is inside", quiet: false)
            }
        }
        summary["c_outlet_mol_m3"] = c.last ?? 0
        summary["c_mean_mol_m3"] = c.reduce(0, +) / Double(max(c.count, 1))
        summary["eta_min"] = eta.min() ?? 0
        summary["eta_max"] = eta.max() ?? 0
        if output.json {
            print(Terminal.json(summary))
        } else {
            print("wrote \(path)")
            for key in summary.keys.sorted() where key != "output" { print("  \(key): \(summary[key]!)") }
        }
    }
}
