import Config
import Foundation
import HDF5Kit
import Macroscale
import Microscale
import NeuralNet
import Scenario

/// `tissue sweep CONFIG`: solve a scenario at every point of a parameter grid (`SweepPlan`) in
/// parallel and write one `sweep` file (`SweepFile`) and a CSV summary beside it.
///
/// Each run loads the scenario with the overrides of its point and solves it on its own, with one
/// OpenBLAS thread, so the results do not depend on `threads` or on sharding. A run that fails
/// (invalid point, solver error) is recorded with its reason, not dropped. `--shard K/N` runs the
/// runs with index ≡ K−1 (mod N) into a `sweep-part` file; `merge` joins the parts into the file a
/// one-process sweep writes. Finished runs are kept in OUTPUT.part.h5 (rewritten at most every
/// few seconds and when stopped); `--resume` continues from it.
public enum SweepWorkflow {
    public struct Request: Sendable {
        public var config: String
        /// `section.key=…` axes (nil or empty: the config's `[sweep] vary`).
        public var vary: [String] = []
        /// Output file (nil: `[sweep] file`, else results/<config stem>-sweep.h5).
        public var output: String?
        public var overrides: [String] = []
        public var unset: [String] = []
        /// Worker threads (nil: the active processor count).
        public var threads: Int?
        /// "K/N": runs k with k % N == K−1 only, into a part file.
        public var shard: String?
        public var resume = false
        public var policy = OutputPolicy()

        public init(config: String) { self.config = config }

        /// Checks the options before any work.
        public func validate() throws {
            if let threads, threads < 1 { throw WorkflowError("--threads \(threads): expected ≥ 1") }
            _ = try shardPart()
        }

        func shardPart() throws -> CampaignShard? { try CampaignShard(option: shard) }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        try request.validate()
        // Results must not depend on the thread count: the closure's GEMMs on one OpenBLAS thread (RunWorkflow).
        setBLASThreads(1)
        let shard = try request.shardPart()
        let (plan, planOutput) = try SweepPlan.load(config: request.config, vary: request.vary,
                                                     overrides: request.overrides, unset: request.unset)
        let base = try ScenarioLoader.load(path: request.config, overrides: request.overrides, unset: request.unset,
                                           alsoRead: ["sweep"])
        reporter.configLoaded(notes: base.notes, warnings: base.warnings)
        let x = try UpscaledRun(scenario: base).op.centres
        let path = request.output ?? planOutput ?? "results/\(Paths.stem(request.config))-sweep.h5"
        let kind = shard == nil ? SweepFile.kind : SweepFile.partKind
        let shardText = (shard ?? .whole).description
        let config = base.resolvedTOML + plan.toml
        let part = OutputPolicy.progressPath(path)
        // A finished sweep resumed is not redone (also when its progress file is already gone).
        if request.resume, request.policy.finishedEarlier(path, kind: kind, config: config, seed: base.seed, reporter: reporter,
                                                          requireProgressFile: false,
                                                          isValid: { (try? SweepFile.read(path: $0))?.shard == shardText }) {
            return OutputPolicy.finishedEarlierReport(path)
        }
        try request.policy.checkOutput(path)
        if shard == nil { try request.policy.checkOutput(SweepFile.csvPath(path)) }

        let indices = (0..<plan.count).filter { shard?.contains($0) ?? true }
        var done = try keptRuns(part: part, resume: request.resume, config: config, shard: shardText, x: x,
                                reporter: reporter)
        let threads = min(request.threads ?? ProcessInfo.processInfo.activeProcessorCount, max(indices.count - done.count, 1))
        reporter.status("tissue sweep: \(base.tissue.name), \(base.mode.rawValue), \(plan.count) runs ("
                        + plan.axes.map { "\($0.key): \($0.values.count)" }.joined(separator: " × ") + "), \(base.cells) cells, "
                        + "\(threads) thread(s)" + (shard.map { ", shard \($0): \(indices.count) runs" } ?? "")
                        + (done.isEmpty ? "" : ", \(done.count) done earlier"))

        let header = FileHeader(kind: kind, programVersion: programVersion, config: config, seed: base.seed)
        func contents(_ results: [Int: SweepRunResult]) -> SweepFile.Contents {
            let rows = results.keys.sorted()
            return SweepFile.Contents(header: header, parameterNames: plan.parameterNames, parameterUnits: plan.axes.map(\.units),
                                      values: rows.map { plan.values(of: $0) }, x: x, results: rows.map { results[$0]! },
                                      runs: plan.count, shard: shardText)
        }

        reporter.beginProgress("runs", total: indices.count)
        reporter.progress(done.count)
        let todo = indices.filter { done[$0] == nil }
        let stopped = try runPending(todo, threads: threads, request: request, plan: plan, x: x, part: part,
                                     done: &done, contents: contents, reporter: reporter)
        if stopped {
            try SweepFile.write(contents(done), kind: SweepFile.partKind, to: part)
            throw WorkflowStopped("\(done.count) of \(indices.count) runs kept in \(part) (continue with --resume)")
        }

        let final = contents(done)
        let csv = try write(final, kind: kind, to: path, csv: shard == nil)
        unlink(part)
        let (failed, clamped) = try reportProblems(final, plan: plan, path: path, isShard: shard != nil, reporter: reporter)
        var summary: [String: Any] = ["output": path, "runs": plan.count, "completed": final.results.count - failed.count,
                                      "failed": failed.count, "with_clamped_inputs": clamped.count, "threads": threads,
                                      "parameters": plan.parameterNames, "cells": base.cells]
        if let csv { summary["csv"] = csv }
        if let shard { summary["shard"] = shard.description }
        return WorkflowReport(summary: summary, headline: ["wrote \(path)" + (csv.map { " and \($0)" } ?? "")],
                              hidden: ["output", "csv"])
    }

    /// Solves the runs `todo` on `threads` threads into `done`, rewriting the progress file `part`
    /// at most every 5 s; returns whether a stop request ended it early.
    static func runPending(_ todo: [Int], threads: Int, request: Request, plan: SweepPlan, x: [Double], part: String,
                           done: inout [Int: SweepRunResult],
                           contents: ([Int: SweepRunResult]) -> SweepFile.Contents,
                           reporter: WorkflowReporter) throws -> Bool {
        let config = request.config, overrides = request.overrides, unset = request.unset
        var lastSave = Date()
        return try ParallelRuns.run(todo, threads: threads, work: { index in
            solve(index: index, config: config, overrides: overrides + plan.overrides(of: index), unset: unset, x: x)
        }, shouldStop: { reporter.stopRequested }) { result in
            done[result.index] = result
            reporter.progress(done.count)
            if Date().timeIntervalSince(lastSave) > 5 {
                try SweepFile.write(contents(done), kind: SweepFile.partKind, to: part)
                lastSave = Date()
            }
        }
    }

    /// The finished runs kept in the progress file `part` when resuming (it must belong to this
    /// sweep); none otherwise (a note if the file exists: it will be replaced).
    static func keptRuns(part: String, resume: Bool, config: String, shard: String, x: [Double],
                         reporter: WorkflowReporter) throws -> [Int: SweepRunResult] {
        var done: [Int: SweepRunResult] = [:]
        guard FileManager.default.fileExists(atPath: part) else { return done }
        if resume {
            let kept = try SweepFile.read(path: part)
            guard kept.header.config == config, kept.shard == shard, kept.x == x else {
                throw WorkflowError("--resume: \(part) belongs to another sweep (other config, --vary, --set or --shard); start without --resume")
            }
            for r in kept.results { done[r.index] = r }
        } else {
            reporter.note("note: \(part) exists from an earlier run; starting over (use --resume to continue it)")
        }
        return done
    }

    /// Writes the CSV summary (if `csv`) and then the sweep file, each atomically; returns the CSV's
    /// path. The sweep file comes last, so a finished sweep file always has its CSV beside it (a
    /// resumed sweep trusts a finished file).
    static func write(_ final: SweepFile.Contents, kind: String, to path: String, csv: Bool) throws -> String? {
        var csvPath: String? = nil
        if csv {
            csvPath = SweepFile.csvPath(path)
            try SweepFile.csv(final).write(toFile: csvPath!, atomically: true, encoding: .utf8)
        }
        try SweepFile.write(final, kind: kind, to: path)
        return csvPath
    }

    /// Warns about failed runs and runs with clamped closure inputs; a whole sweep (not a shard)
    /// of failures is an error. Returns both lists.
    static func reportProblems(_ final: SweepFile.Contents, plan: SweepPlan, path: String, isShard: Bool,
                               reporter: WorkflowReporter) throws -> (failed: [SweepRunResult], clamped: [SweepRunResult]) {
        let failed = final.results.filter(\.failed)
        let label = { (i: Int) in plan.overrides(of: i).joined(separator: ", ") }
        warn(failed.map { "run \($0.index) (\(label($0.index))) failed: \($0.failure)" },
             title: "warning: \(failed.count) of \(final.results.count) runs failed; recorded with NaN in /sweep/failure_reason of \(path):",
             reporter: reporter)
        let clamped = final.results.filter { !$0.extrapolation.isEmpty }
        warn(clamped.map { "run \($0.index) (\(label($0.index))): \($0.extrapolation)" },
             title: "warning: \(clamped.count) of \(final.results.count) runs had closure inputs outside the training range (clamped):",
             reporter: reporter)
        // A shard's runs may all fail while others' do not: only a whole sweep of failures is an error.
        if !isShard && !final.results.isEmpty && failed.count == final.results.count {
            throw WorkflowError("all \(failed.count) runs failed (the first: \(failed[0].failure)); \(path) records them")
        }
        return (failed, clamped)
    }

    /// One run: the scenario with the point's overrides, solved; a failure is recorded with its reason.
    static func solve(index: Int, config: String, overrides: [String], unset: [String], x: [Double]) -> SweepRunResult {
        do {
            let scenario = try ScenarioLoader.load(path: config, overrides: overrides, unset: unset)
            let run = try UpscaledRun(scenario: scenario)
            guard run.op.centres == x else {
                throw WorkflowError("its grid differs from the sweep's (all runs share /sweep/x: keep grid.cells and tissue.length)")
            }
            let c: [Double], eta: [Double], uptake: Double, clamped: [Int], when: String
            switch try run.solve() {
            case .steady(let s):
                (c, eta, uptake, clamped, when) = (s.concentration, s.eta, s.uptake, s.clampedCounts, "at the converged state")
            case .transient(let s):
                c = s.concentration.last ?? []
                (eta, clamped, when) = (s.eta, s.clampedCounts, "at the final state")
                uptake = run.op.balance(c, eta: eta).uptake
            }
            let summary = [uptake, c.last ?? .nan,
                           penetrationDepth(x: x, c: c, threshold: scenario.tissue.inletConcentration / M_E),
                           eta.min() ?? .nan, eta.max() ?? .nan, Double(clamped.reduce(0, +))]
            let extrapolation = ClosureExtrapolation.message(clamped, cells: scenario.cells, closure: run.closure, when: when) ?? ""
            return SweepRunResult(index: index, failure: "", c: c, eta: eta, summary: summary, extrapolation: extrapolation)
        } catch {
            return .failed(index, cells: x.count, reason: "\(error)")
        }
    }

    /// The first x where the profile falls to `threshold`, by linear interpolation between cell
    /// centres (x[0] if it starts at or below it); NaN if it never does.
    public static func penetrationDepth(x: [Double], c: [Double], threshold: Double) -> Double {
        guard let first = c.first else { return .nan }
        if first <= threshold { return x[0] }
        for i in 1..<c.count where c[i] <= threshold {
            return x[i - 1] + (x[i] - x[i - 1]) * (c[i - 1] - threshold) / (c[i - 1] - c[i])
        }
        return .nan
    }

    /// Warnings about some runs: a title and up to 10 lines.
    static func warn(_ lines: [String], title: String, reporter: WorkflowReporter) {
        guard !lines.isEmpty else { return }
        let shown = lines.prefix(10).map { "  " + $0 } + (lines.count > 10 ? ["  … and \(lines.count - 10) more"] : [])
        reporter.warning(([title] + shown).joined(separator: "\n"))
    }

    /// `tissue sweep merge OUT PART…`: joins the part files of one sweep's shards into the file a
    /// one-process sweep writes (and its CSV).
    public static func merge(output: String, parts: [String], policy: OutputPolicy) throws -> WorkflowReport {
        guard !parts.isEmpty else { throw WorkflowError("give the part files of a sweep (tissue sweep --shard K/N) to merge") }
        try policy.checkOutput(output)
        try policy.checkOutput(SweepFile.csvPath(output))
        let files = try parts.map { try SweepFile.read(path: $0) }
        let first = files[0]
        var shards: [String: String] = [:]
        var results: [Int: (SweepRunResult, [Double])] = [:]
        for (path, f) in zip(parts, files) {
            guard f.header.config == first.header.config, f.runs == first.runs, f.x == first.x,
                  f.parameterNames == first.parameterNames else {
                throw WorkflowError("\(path) belongs to another sweep than \(parts[0]) (other config, --vary or --set)")
            }
            let shard = try CampaignShard(parsing: f.shard), reference = try CampaignShard(parsing: first.shard)
            guard shard.count == reference.count else {
                throw WorkflowError("\(path) is shard \(shard) but \(parts[0]) is shard \(reference): the shard counts differ")
            }
            if let other = shards[f.shard] { throw WorkflowError("\(path) and \(other) are both shard \(f.shard)") }
            shards[f.shard] = path
            for (r, v) in zip(f.results, f.values) { results[r.index] = (r, v) }
        }
        let missing = (0..<first.runs).filter { results[$0] == nil }
        guard missing.isEmpty else {
            throw WorkflowError("\(missing.count) of \(first.runs) runs are in none of the files (the first: run \(missing[0])): give every shard's finished part file")
        }
        var merged = first
        merged.results = (0..<first.runs).map { results[$0]!.0 }
        merged.values = (0..<first.runs).map { results[$0]!.1 }
        merged.shard = CampaignShard.whole.description
        let csv = SweepFile.csvPath(output)
        _ = try write(merged, kind: SweepFile.kind, to: output, csv: true)
        let failed = merged.results.filter(\.failed).count
        return WorkflowReport(summary: ["output": output, "csv": csv, "inputs": parts.count, "runs": first.runs, "failed": failed],
                              text: ["wrote \(output) and \(csv): \(first.runs) runs (\(failed) failed) from \(parts.count) files"])
    }
}

/// Runs independent jobs on worker threads; results are handed to the calling thread (which alone
/// talks to the reporter and writes files) in completion order.
enum ParallelRuns {
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var next = 0
        var stop = false
        var active = 0
        var finished: [SweepRunResult] = []
    }

    /// Runs `work` for every index of `indices` on `threads` threads, calling `handle` on this thread
    /// for each result. When `shouldStop()` turns true no new job starts; the running ones finish and
    /// are handled, and the result is true (stopped) unless every job had finished.
    static func run(_ indices: [Int], threads: Int, work: @escaping @Sendable (Int) -> SweepRunResult,
                    shouldStop: () -> Bool, handle: (SweepRunResult) throws -> Void) throws -> Bool {
        guard !indices.isEmpty else { return false }
        let queue = Queue()
        queue.active = threads
        for _ in 0..<threads {
            let thread = Thread {
                while true {
                    queue.condition.lock()
                    guard !queue.stop, queue.next < indices.count else {
                        queue.active -= 1
                        queue.condition.broadcast()
                        queue.condition.unlock()
                        return
                    }
                    let index = indices[queue.next]
                    queue.next += 1
                    queue.condition.unlock()
                    let result = work(index)
                    queue.condition.lock()
                    queue.finished.append(result)
                    queue.condition.broadcast()
                    queue.condition.unlock()
                }
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        var handled = 0
        var failure: Error? = nil
        while true {
            queue.condition.lock()
            while queue.finished.isEmpty && queue.active > 0 {
                _ = queue.condition.wait(until: Date().addingTimeInterval(0.2))
                if shouldStop() { queue.stop = true }
                if queue.finished.isEmpty && queue.active > 0 { continue }
            }
            let batch = queue.finished
            queue.finished = []
            let idle = queue.active == 0
            if shouldStop() || failure != nil { queue.stop = true }
            queue.condition.unlock()
            for result in batch where failure == nil {
                do { try handle(result); handled += 1 } catch { failure = error }
            }
            if failure != nil {
                queue.condition.lock()
                queue.stop = true
                queue.condition.unlock()
            }
            if idle && batch.isEmpty { break }
        }
        if let failure { throw failure }
        return handled < indices.count
    }
}
