import Foundation
import Macroscale
import NeuralNet
import Numerics
import HDF5Kit
import Scenario

/// `tissue run CONFIG`: solve an upscaled scenario and write the `upscaled` HDF5 file.
public enum RunWorkflow {
    public struct Request: Sendable {
        /// Scenario config (TOML).
        public var config: String
        /// Output file (nil: the config's [output] file).
        public var output: String?
        /// `--set section.key=value` overrides and `--unset section.key` removals.
        public var overrides: [String]
        public var unset: [String] = []
        /// Continue a transient run from OUTPUT.part.h5.
        public var resume: Bool
        /// Transient runs: save the state every N time steps (0: only when stopped).
        public var checkpointEvery: Int
        /// Clamped closure inputs are an error (nothing is written) instead of a warning.
        public var strictClosure = false
        public var policy: OutputPolicy

        public init(config: String, output: String? = nil, overrides: [String] = [], resume: Bool = false,
                    checkpointEvery: Int = 50, policy: OutputPolicy = OutputPolicy()) {
            self.config = config
            self.output = output
            self.overrides = overrides
            self.resume = resume
            self.checkpointEvery = checkpointEvery
            self.policy = policy
        }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        // The closure's GEMMs on one OpenBLAS thread: with two, OpenBLAS sums in another order and
        // the profile changes in the last bits (measured); results must not depend on the thread count.
        setBLASThreads(1)
        let scenario = try ScenarioLoader.load(path: request.config, overrides: request.overrides, unset: request.unset)
        reporter.configLoaded(notes: scenario.notes, warnings: scenario.warnings)
        let path = request.output ?? scenario.outputPath
        if request.resume, request.policy.finishedEarlier(path, kind: UpscaledFile.kind, config: scenario.resolvedTOML,
                                                          seed: scenario.seed, reporter: reporter) {
            return OutputPolicy.finishedEarlierReport(path)
        }
        let run = try UpscaledRun(scenario: scenario)
        try request.policy.checkOutput(path)
        reporter.status("tissue run: \(scenario.tissue.name), \(scenario.mode.rawValue), \(scenario.cells) cells, closure: \(run.closure.summary)")
        if let t = run.transientSettings {
            // Error-controlled runs report per mille of the simulated time; fixed-step runs their steps.
            reporter.beginProgress(t.scheme.isFixedStep ? "time steps" : "simulated time ‰", total: try run.plannedSteps())
        }
        let part = OutputPolicy.progressPath(path)
        if request.resume && !FileManager.default.fileExists(atPath: part) {
            throw WorkflowError("--resume: no saved state at \(part) (start without --resume)")
        }
        if !request.resume && scenario.mode == .transient && FileManager.default.fileExists(atPath: part) {
            reporter.note("note: \(part) exists from an earlier run; starting over, it will be replaced (use --resume to continue it)")
        }
        let outcome: UpscaledRun.Outcome
        do {
            outcome = try run.solve(checkpointPath: scenario.mode == .transient ? part : nil,
                                    checkpointEvery: request.checkpointEvery, resume: request.resume,
                                    shouldStop: { reporter.stopRequested }) { done, _ in reporter.progress(done) }
        } catch let stop as TransientInterrupted {
            throw WorkflowStopped("\(stop.description); state kept in \(part) (continue with --resume)")
        }
        let clamped = try checkClamping(outcome, scenario: scenario, run: run, strict: request.strictClosure,
                                        reporter: reporter)
        try run.write(outcome, to: path)
        unlink(part)
        let summary = summary(outcome, path: path, scenario: scenario, run: run, clamped: clamped, reporter: reporter)
        return WorkflowReport(summary: summary, headline: headline(outcome, path: path), hidden: ["output", "exposure"])
    }

    /// Clamping at the answer (the converged steady state, or the final transient state; a passing
    /// front's excursions are reported separately): an error with `strict`, else a warning.
    /// Returns the clamped counts per feature.
    static func checkClamping(_ outcome: UpscaledRun.Outcome, scenario: RunScenario, run: UpscaledRun, strict: Bool,
                              reporter: WorkflowReporter) throws -> [Int] {
        let clamped: [Int]
        switch outcome {
        case .steady(let s): clamped = s.clampedCounts
        case .transient(let s): clamped = s.clampedCounts
        }
        let when = scenario.mode == .steady ? "at the converged state" : "at the final state"
        if strict, let message = ClosureExtrapolation.message(clamped, cells: scenario.cells, closure: run.closure, when: when) {
            throw WorkflowError(message + " (--strict-closure)")
        }
        if let warning = ClosureExtrapolation.warning(clamped, cells: scenario.cells, closure: run.closure, when: when) {
            reporter.warning(warning)
        }
        return clamped
    }

    /// The run's JSON summary: solver figures, the final profile's range and, for a transient run,
    /// exposure and balance (warning about state excursions on the way).
    static func summary(_ outcome: UpscaledRun.Outcome, path: String, scenario: RunScenario, run: UpscaledRun,
                        clamped: [Int], reporter: WorkflowReporter) -> [String: Any] {
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
            addTransient(s, to: &summary, reporter: reporter)
        }
        summary["clamped_features"] = ClosureExtrapolation.summary(clamped, closure: run.closure)
        summary["c_outlet_mol_m3"] = c.last ?? 0
        summary["c_mean_mol_m3"] = c.reduce(0, +) / Double(max(c.count, 1))
        summary["eta_min"] = eta.min() ?? 0
        summary["eta_max"] = eta.max() ?? 0
        return summary
    }

    /// A transient run's figures in the summary; a warning if inputs left the training range on the way.
    static func addTransient(_ s: TransientSolution, to summary: inout [String: Any], reporter: WorkflowReporter) {
        summary["steps"] = s.steps
        summary["output_times_s"] = s.times
        summary["closure_calls"] = s.closureCalls
        summary["solver_seconds"] = s.wallSeconds
        summary["clamped_inputs"] = s.clampedCounts
        if let stats = s.statistics {
            summary["integrator"] = Dictionary(uniqueKeysWithValues: stats.namedValues.map { ($0.0, $0.1) })
        }
        if let e = s.exposure {
            let last = e.times.count - 1
            summary["exposure"] = ["threshold_mol_m3": e.threshold, "auc_mol_m3_s": e.auc, "c_max_mol_m3": e.peak,
                                   "t_max_s": e.peakTime, "t_threshold_s": e.thresholdTime.map { $0.isNaN ? -1 : $0 }] as [String: Any]
            summary["balance"] = ["inflow_mol_m2": e.inflow[last], "outflow_mol_m2": e.outflow[last],
                                  "uptake_mol_m2": e.uptake[last], "storage_change_mol_m2": e.storage[last] - e.initialStorage,
                                  "residual_relative": e.balanceResidual[last] / max(abs(e.inflow[last]), 1e-300)]
        }
        if let first = s.firstStateExcursion {
            let e = first.excursion
            summary["state_excursion_steps"] = s.stateExcursionSteps
            reporter.warning("warning: closure input \(e.feature.name) = \(e.value.messageText) at t = \(first.time.messageText) s, x = \(first.x.messageText) m was far outside the network's training range [\(e.minimum.messageText), \(e.maximum.messageText)] (η clamped there); \(s.stateExcursionSteps) step(s) had such inputs (a front passing through); the final state is inside")
        }
    }

    /// "wrote PATH", and a transient run's exposure in one line.
    static func headline(_ outcome: UpscaledRun.Outcome, path: String) -> [String] {
        var headline = ["wrote \(path)"]
        if case .transient(let s) = outcome, let e = s.exposure {
            let reached = e.thresholdTime.filter { !$0.isNaN }.count
            headline.append(String(format: "  exposure: AUC %.4g…%.4g mol m-3 s (inlet…outlet), c_max %.4g…%.4g mol/m^3, threshold %.4g mol/m^3 reached in %d of %d cells (--json or /macro/exposure for every cell)",
                                   e.auc.first ?? 0, e.auc.last ?? 0, e.peak.first ?? 0, e.peak.last ?? 0, e.threshold, reached, e.auc.count))
        }
        return headline
    }
}
