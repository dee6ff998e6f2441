import Foundation
import Closure
import HDF5Kit
import Microscale
import NeuralNet

/// `tissue dns unitcell --inputs TABLE | --samples N --seed S`: run unit-cell realisations and write
/// a `training-set` file.
public enum UnitCellWorkflow {
    public struct Request: Sendable {
        /// Inputs table (CSV r,phi2,PL,Dr,cL, or the reference COMSOL table).
        public var inputs: String?
        /// Comma-separated 0-based data rows of the table (nil: all).
        public var rows: String?
        /// Number of sampled realisations (instead of `inputs`).
        public var samples: Int?
        public var seed: UInt64 = 0
        /// Upper end of the uniform Pe distribution of sampled realisations.
        public var pecletMax: Double = 130
        /// "min:max" ranges of the sampled εβ and Dr, and the φ² maximum (nil: the reference's).
        public var porosityRange: String?
        public var thieleModulusSquaredMax: Double?
        public var diffusivityRatioRange: String?
        /// "K/N": run the realisations k with k % N == K−1.
        public var shard: String?
        public var resume = false
        /// Stop after this many realisations (simulates an interrupted run).
        public var stopAfter: Int?
        public var checkpointEvery = 10
        /// Grid cells per tile: an integer or "auto".
        public var cellsPerTile = "auto"
        /// The unit-cell family (circle row by default).
        public var geometry = UnitCellGeometryRequest()
        public var output = "results/unitcell.h5"
        public var policy = OutputPolicy()

        public init() {}

        /// Checks the options before any work, naming the offending one.
        public func validate() throws {
            _ = try resolution()
            let family = try geometry.family()
            switch (inputs, samples) {
            case (.some, .some): throw WorkflowError("--samples and --inputs are mutually exclusive: give one")
            case (nil, nil): throw WorkflowError("give either --inputs TABLE or --samples N")
            case (nil, .some(let n)):
                guard n >= 1 else { throw WorkflowError("--samples \(n): expected ≥ 1") }
                guard rows == nil else { throw WorkflowError("--rows selects rows of an --inputs table; it cannot be used with --samples") }
                guard pecletMax > 0 && pecletMax.isFinite else { throw WorkflowError("--pe-max \(pecletMax): expected > 0") }
                let sampler = try sampler(family)
                if case .mask = family {
                    // A mask whose windows never hold both cells and a fluid path fails here, before any work.
                    do { _ = try sampler.tile(index: 0) } catch { throw WorkflowError("--mask: \(error)") }
                }
            case (.some, nil):
                guard family == .circleRow else {
                    throw WorkflowError("--inputs tables hold circle-row inputs (r, phi2, PL, Dr, cL); --geometry \(geometry.geometry) needs --samples N")
                }
                guard porosityRange == nil && thieleModulusSquaredMax == nil && diffusivityRatioRange == nil else {
                    throw WorkflowError("--porosity-range, --phi2-max and --dr-range shape sampled realisations; they cannot be used with --inputs")
                }
            }
            _ = try shardPart()
            guard checkpointEvery >= 1 else { throw WorkflowError("--checkpoint-every \(checkpointEvery): expected ≥ 1") }
            if let stopAfter, stopAfter < 0 { throw WorkflowError("--stop-after \(stopAfter): expected ≥ 0") }
        }

        /// `cellsPerTile` as a resolution rule.
        func resolution() throws -> UnitCellResolution {
            do { return try UnitCellResolution(parsing: cellsPerTile) } catch {
                throw WorkflowError("--cells-per-tile \(error)")
            }
        }

        func shardPart() throws -> CampaignShard { try CampaignShard(option: shard) ?? .whole }

        /// The sampler of a `samples` campaign, with the requested ranges.
        func sampler(_ family: UnitCellFamily) throws -> UnitCellSampler {
            func range(_ text: String?, option: String, default d: ClosedRange<Double>) throws -> ClosedRange<Double> {
                guard let text else { return d }
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo <= hi else {
                    throw WorkflowError("\(option) '\(text)': expected min:max with min ≤ max, e.g. 0.25:0.45")
                }
                return lo...hi
            }
            do {
                return try UnitCellSampler(
                    seed: seed, family: family, pecletMax: pecletMax,
                    porosityRange: try range(porosityRange, option: "--porosity-range", default: family.defaultPorosityRange),
                    thieleModulusSquaredMax: thieleModulusSquaredMax ?? UnitCellSampler.thieleModulusSquaredMax,
                    diffusivityRatioRange: try range(diffusivityRatioRange, option: "--dr-range", default: UnitCellSampler.diffusivityRatioRange))
            } catch let e as UnitCellInputError {
                throw WorkflowError("--porosity-range/--phi2-max/--dr-range/--pe-max: \(e.message)")
            }
        }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        try request.validate()
        let shardPart = try request.shardPart()
        let resolution = try request.resolution()
        let (campaign, identity) = try campaignAndIdentity(request, resolution: resolution, shard: shardPart)
        let config = identity + (request.shard == nil ? "" : "\nshard = \"\(shardPart)\"")
        let outputPath = request.output, seed = request.seed
        // The sparse LU calls OpenBLAS on small blocks: its worker threads only spin (measured 2× slower).
        setBLASThreads(1)
        let part = OutputPolicy.progressPath(outputPath)
        if request.resume, request.policy.finishedEarlier(outputPath, kind: TrainingSet.kind, config: config, seed: seed,
                                                          reporter: reporter, isValid: { (try? TrainingSet.read(path: $0)) != nil }) {
            return OutputPolicy.finishedEarlierReport(outputPath)
        }
        try request.policy.checkOutput(outputPath)
        let resumeState = try keptState(part: part, resume: request.resume, identity: identity, reporter: reporter)
        reporter.beginProgress("realisations", total: campaign.plan.count)
        let source = request.inputs ?? "sampled (seed \(seed))"
        let outcome = try campaign.run(
            source: source, resume: resumeState, stopAfter: request.stopAfter, checkpointEvery: request.checkpointEvery,
            checkpoint: { state in
                try state.write(to: part, identity: identity, seed: seed, programVersion: programVersion)
            },
            failure: { f in reporter.warning("\nwarning: \(f.description)") },
            shouldStop: { reporter.stopRequested },
            progress: { done, _ in reporter.progress(done) })
        guard outcome.complete else {
            if reporter.stopRequested { throw WorkflowStopped("progress kept in \(part) (continue with --resume)") }
            throw WorkflowError("stopped after \(request.stopAfter ?? 0) realisations; progress kept in \(part) (continue with --resume)")
        }
        try write(outcome, of: campaign, to: outputPath, config: config, seed: seed)
        unlink(part)
        var summary: [String: Any] = ["output": outputPath, "realisations": campaign.plan.count,
                                      "geometry": campaign.sampler?.family.description ?? UnitCellFamily.circleRow.description,
                                      "samples": outcome.trainingSet.count, "cells_per_tile": resolution.jsonValue,
                                      "failed_samples": outcome.failed.count, "resumed": outcome.resumed,
                                      "transport_seconds": outcome.results.map(\.transportSeconds).reduce(0, +),
                                      "flow_seconds": outcome.results.map(\.flowSeconds).reduce(0, +)]
        if request.shard != nil { summary["shard"] = shardPart.description }
        addComparisons(outcome.comparisons, to: &summary)
        let rowLines = outcome.comparisons.map { c -> String in
            let cells = zip(c.relativeEtaError, c.referenceAboveBound).map { String(format: "%+.2f%%%@", $0.0 * 100, $0.1 ? "!" : "") }
            return String(format: "  row %5d  Pe ours/ref %.4f  η error domains 2–5: %@", c.row, c.pecletRatio,
                          cells.joined(separator: " "))
        }
        return WorkflowReport(summary: summary, headline: ["wrote \(outputPath)"] + rowLines, hidden: ["output"])
    }

    /// The campaign state kept in the progress file `part` when resuming (it must belong to the
    /// campaign `identity`); an empty state otherwise (a note if the file exists: it will be replaced).
    static func keptState(part: String, resume: Bool, identity: String,
                          reporter: WorkflowReporter) throws -> UnitCellCampaign.State {
        guard FileManager.default.fileExists(atPath: part) else { return UnitCellCampaign.State() }
        if resume { return try UnitCellCampaign.State.read(path: part, identity: identity) }
        reporter.note("note: \(part) exists from an earlier run; starting over (use --resume to continue it)")
        return UnitCellCampaign.State()
    }

    /// Writes the training set with the realisation records and the failed realisations.
    static func write(_ outcome: UnitCellCampaign.Outcome, of campaign: UnitCellCampaign, to outputPath: String,
                      config: String, seed: UInt64) throws {
        try AtomicWrite.hdf5(to: outputPath) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: programVersion, config: config, seed: seed).write(to: file)
            try outcome.trainingSet.write(to: file)
            let group = try file.root.group("samples")
            try campaign.writeRealisationRecords(of: outcome.trainingSet, to: group)
            try group.setAttribute("failed_samples", outcome.failed.count)
            if !outcome.failed.isEmpty { try group.setAttribute("failed_realizations", outcome.failed) }
        }
    }

    /// The η and Pe errors against a reference table in the summary, with and without the entries
    /// whose reference η is physically impossible (above the isolated-cell bound).
    static func addComparisons(_ comparisons: [UnitCellCampaign.Comparison], to summary: inout [String: Any]) {
        guard !comparisons.isEmpty else { return }
        let errors = comparisons.flatMap { $0.relativeEtaError.map { abs($0) * 100 } }
        summary["eta_error_median_percent"] = errors.quantile(0.5)
        summary["eta_error_p95_percent"] = errors.quantile(0.95)
        summary["eta_error_max_percent"] = errors.max() ?? .nan
        summary["peclet_ratio_median"] = comparisons.map(\.pecletRatio).quantile(0.5)
        let admissible = comparisons.flatMap { c in
            zip(c.relativeEtaError, c.referenceAboveBound).filter { !$0.1 }.map { abs($0.0) * 100 }
        }
        summary["reference_above_bound"] = errors.count - admissible.count
        summary["eta_error_median_percent_within_bound"] = admissible.quantile(0.5)
        summary["eta_error_p95_percent_within_bound"] = admissible.quantile(0.95)
    }

    /// The campaign of a request and its identity (the `config` text of its files: a resumed or
    /// merged run must belong to the same campaign).
    static func campaignAndIdentity(_ request: Request, resolution: UnitCellResolution,
                                    shard: CampaignShard) throws -> (UnitCellCampaign, String) {
        if let samples = request.samples {
            let family = try request.geometry.family()
            let sampler = try request.sampler(family)
            let campaign = UnitCellCampaign(sampler: sampler, count: samples, resolution: resolution, shard: shard)
            return (campaign, UnitCellCampaign.sampledIdentity(sampler: sampler, samples: samples, resolution: resolution)
                        + request.geometry.identityLines(family))
        }
        let inputs = request.inputs!
        let selected = try request.rows.map { text in
            try text.split(separator: ",").map { part -> Int in
                guard let k = Int(part.trimmingCharacters(in: .whitespaces)), k >= 0 else {
                    throw WorkflowError("--rows: '\(part)' is not a row number (0-based)")
                }
                return k
            }
        }
        let table = try readUnitCellTable(path: inputs, rows: selected)
        let campaign = UnitCellCampaign(rows: table, resolution: resolution, shard: shard)
        return (campaign, UnitCellCampaign.tableIdentity(inputs: inputs, rows: request.rows, resolution: resolution))
    }
}

/// `tissue dns merge OUT PART…`: join training-set files (e.g. shard outputs) deterministically.
public enum MergeWorkflow {
    public static func run(output: String, parts: [String], allowPartial: Bool, policy: OutputPolicy) throws -> WorkflowReport {
        guard !parts.isEmpty else { throw WorkflowError("give at least one training-set file to merge") }
        try policy.checkOutput(output)
        let merged = try UnitCellCampaign.merge(parts, allowPartial: allowPartial, into: output, programVersion: programVersion)
        let summary: [String: Any] = ["output": output, "inputs": parts.count, "samples": merged.samples,
                                      "realisations": merged.realisations, "failed_samples": merged.failedSamples]
        return WorkflowReport(summary: summary,
                              text: ["wrote \(output): \(merged.samples) rows from \(merged.realisations) realisations in \(parts.count) files"])
    }
}

/// `tissue dns audit TABLE`: reference η that the physics rules out, found without any DNS.
public enum AuditWorkflow {
    public static func run(table: String, show: Int) throws -> WorkflowReport {
        guard show >= 0 else { throw WorkflowError("--show \(show): expected ≥ 0") }
        let rows = try readUnitCellTable(path: table)
        guard rows.contains(where: { $0.referenceEta != nil }) else {
            throw WorkflowError("\(table): no reference η columns; expected the COMSOL output table (24 columns)")
        }
        let checks = try rows.flatMap { try IsolatedCellUptake.referenceBoundChecks(of: $0) }
        let checked = checks.count
        let violations = checks.filter(\.exceedsBound)
        let bands: [(String, ClosedRange<Double>)] = [("0.01-0.02", 0...0.02), ("0.02-0.05", 0.02...0.05),
                                                      ("0.05-0.1", 0.05...0.1), ("0.1-1", 0.1...1)]
        func band(_ dr: Double) -> String { bands.first { $0.1.contains(dr) }!.0 }
        var byBand: [String: [String: Int]] = [:]
        for (name, _) in bands { byBand[name] = ["checked": 0, "above_bound": 0] }
        for c in checks { byBand[band(c.diffusivityRatio)]!["checked"]! += 1 }
        for v in violations { byBand[band(v.diffusivityRatio)]!["above_bound"]! += 1 }
        let worst = violations.sorted { $0.excess > $1.excess }.prefix(show)
        let summary: [String: Any] = [
            "table": table, "entries_checked": checked, "above_bound": violations.count,
            "rows_above_bound": Set(violations.map(\.row)).count, "by_dr_band": byBand,
            "largest": worst.map { ["row": $0.row, "domain": $0.domain, "dr": $0.diffusivityRatio,
                                    "eta_reference": $0.referenceEta, "eta_bound": $0.upperBound] },
        ]
        var text = ["\(table): \(violations.count) of \(checked) η entries (domains 2–5) exceed the upper bound, in \(Set(violations.map(\.row)).count) rows"]
        for (name, _) in bands {
            text.append("  Dr \(name): \(byBand[name]!["above_bound"]!) of \(byBand[name]!["checked"]!)")
        }
        for v in worst {
            text.append(String(format: "  row %5d domain %d  Dr %.4f  η table %.4f  bound %.4f  (%+.1f%%)",
                               v.row, v.domain, v.diffusivityRatio, v.referenceEta, v.upperBound, v.excess * 100))
        }
        return WorkflowReport(summary: summary, text: text)
    }
}

extension CampaignShard {
    /// The `--shard K/N` option of a workflow (nil when not given); a bad value is a `WorkflowError`.
    init?(option text: String?) throws {
        guard let text else { return nil }
        do { self = try CampaignShard(parsing: text) } catch { throw WorkflowError("--shard: \(error)") }
    }
}
