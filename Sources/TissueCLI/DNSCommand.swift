import ArgumentParser
import Closure
import Foundation
import HDF5Kit
import Microscale
import NeuralNet
import Scenario

/// `tissue dns …`: microscale direct numerical simulation.
struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Microscale DNS: unit-cell realisations that create training data.",
        subcommands: [UnitCellCommand.self, TissueDNSCommand.self, DNSMergeCommand.self, DNSAuditCommand.self])
}

/// `tissue dns unitcell --inputs TABLE | --samples N --seed S`: run unit-cell realisations, write a `training-set` file.
struct UnitCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unitcell",
        abstract: "Run unit-cell realisations (Stokes flow + Michaelis–Menten transport) from an inputs table or sampled; write a training-set file.",
        discussion: """
        Realisations come from a table (--inputs: a CSV with header r,phi2,PL,Dr,cL in SI units, or the \
        reference COMSOL output Comsol_output_…csv, whose η of domains 2–5 is then compared with ours) or \
        are sampled (--samples N --seed S) from the reference distributions: εβ uniform on [0.2737, 0.8255], \
        φ² triangular on [0, 100] with mode 0, Dr uniform on [0.01, 1], cL uniform on [0.1, 10] mol/m³, and \
        PL chosen so that Pe is uniform on [0, --pe-max] (the reference's Pmax(r) is not stated); \
        --porosity-range, --phi2-max and --dr-range narrow or shift them (e.g. a supplement near a tissue's \
        parameters, trained together with the main campaign: `data.file = [MAIN, SUPPLEMENT]`). Realisation \
        k draws from its own random stream keyed by (seed, k), so results do not depend on sharding.

        Against the COMSOL table, an error marked "!" is one where the table's η exceeds the largest η the \
        physics allows at the table's own ⟨c⟩^β: that of an isolated cell bathed at cL (comparison principle, \
        since c ≤ cL everywhere); the summary gives the statistics with and without such entries.

        --shard K/N runs the realisations k with k % N == K−1; join the shard outputs with `tissue dns merge`. \
        Progress is kept in OUTPUT.part.h5 (rewritten atomically every few realisations); --resume continues \
        from it, skipping finished realisations. A realisation whose solve fails is reported and counted \
        (failed_samples) and the campaign goes on.
        """)

    @Option(help: "Inputs table (CSV r,phi2,PL,Dr,cL, or the reference COMSOL table).", completion: .file(extensions: ["csv"]))
    var inputs: String?

    @Option(help: "Comma-separated 0-based data rows of the table to run (default: all).")
    var rows: String?

    @Option(help: "Number of sampled realisations (instead of --inputs).")
    var samples: Int?

    @Option(help: "Seed of the sampled realisations.")
    var seed: UInt64 = 0

    @Option(help: "Upper end of the uniform Pe distribution of sampled realisations.")
    var peMax: Double = 130

    @Option(help: ArgumentHelp("Uniform εβ range of sampled realisations (reference: 0.2737:0.8255; above 1 − π/4 ≈ 0.2146, where the cells touch).", valueName: "min:max"))
    var porosityRange: String?

    @Option(name: .customLong("phi2-max"), help: "Upper end of the triangular φ² distribution (mode 0) of sampled realisations (reference: 100).")
    var thieleModulusSquaredMax: Double?

    @Option(name: .customLong("dr-range"), help: ArgumentHelp("Uniform Dr range of sampled realisations (reference: 0.01:1).", valueName: "min:max"))
    var diffusivityRatioRange: String?

    @Option(help: "Run part K of N (1-based): realisations k with k % N == K−1, e.g. 2/4.")
    var shard: String?

    @Flag(help: "Continue from OUTPUT.part.h5 of an interrupted run of the same campaign (if OUTPUT is already its complete result, only remove the stale part file).")
    var resume = false

    @Option(help: .hidden)
    var stopAfter: Int?

    @Option(help: "Rewrite OUTPUT.part.h5 after every N finished realisations.")
    var checkpointEvery: Int = 10

    @Option(help: ArgumentHelp("Grid cells along each side of a 3 µm tile (h = 3 µm / N), or 'auto': 60, refined to 120 or 240 per realisation where the reaction layer r√(Dr/φ²) is thinner than 2.1 cells or the gap between cells narrower than 5.", valueName: "N|auto"))
    var cellsPerTile: String = "auto"

    /// `--cells-per-tile` as a resolution rule.
    var resolution: UnitCellResolution {
        get throws {
            do { return try UnitCellResolution(parsing: cellsPerTile) } catch {
                throw ValidationError("--cells-per-tile \(error)")
            }
        }
    }

    @Option(name: [.short, .customLong("output")], help: "Training-set file to write.")
    var outputPath: String = "results/unitcell.h5"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try resolution
        switch (inputs, samples) {
        case (.some, .some): throw ValidationError("--samples and --inputs are mutually exclusive: give one")
        case (nil, nil): throw ValidationError("give either --inputs TABLE or --samples N")
        case (nil, .some(let n)):
            guard n >= 1 else { throw ValidationError("--samples \(n): expected ≥ 1") }
            guard rows == nil else { throw ValidationError("--rows selects rows of an --inputs table; it cannot be used with --samples") }
            guard peMax > 0 && peMax.isFinite else { throw ValidationError("--pe-max \(peMax): expected > 0") }
            do { _ = try sampler() } catch { throw ValidationError("\(error)") }
        case (.some, nil):
            guard porosityRange == nil && thieleModulusSquaredMax == nil && diffusivityRatioRange == nil else {
                throw ValidationError("--porosity-range, --phi2-max and --dr-range shape sampled realisations; they cannot be used with --inputs")
            }
        }
        if let shard {
            do { _ = try CampaignShard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
        }
        guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every \(checkpointEvery): expected ≥ 1") }
        if let stopAfter, stopAfter < 0 { throw ValidationError("--stop-after \(stopAfter): expected ≥ 0") }
    }

    /// The sampler of a `--samples` campaign, with the ranges given on the command line.
    func sampler() throws -> UnitCellSampler {
        func range(_ text: String?, option: String, default d: ClosedRange<Double>) throws -> ClosedRange<Double> {
            guard let text else { return d }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo <= hi else {
                throw UserError("\(option) '\(text)': expected min:max with min ≤ max, e.g. 0.25:0.45")
            }
            return lo...hi
        }
        do {
            return try UnitCellSampler(
                seed: seed, pecletMax: peMax,
                porosityRange: try range(porosityRange, option: "--porosity-range", default: UnitCellSampler.porosityRange),
                thieleModulusSquaredMax: thieleModulusSquaredMax ?? UnitCellSampler.thieleModulusSquaredMax,
                diffusivityRatioRange: try range(diffusivityRatioRange, option: "--dr-range", default: UnitCellSampler.diffusivityRatioRange))
        } catch let e as UnitCellInputError {
            throw UserError("--porosity-range/--phi2-max/--dr-range/--pe-max: \(e.message)")
        }
    }

    func run() throws {
        let shardPart = try shard.map { try CampaignShard(parsing: $0) } ?? .whole
        let resolution = try self.resolution
        let campaign: UnitCellCampaign
        let identity: String
        if let samples {
            let sampler = try sampler()
            campaign = UnitCellCampaign(sampler: sampler, count: samples, resolution: resolution, shard: shardPart)
            identity = """
                # tissue dns unitcell
                samples = \(samples)
                seed = \(seed)
                pe_max = \(peMax)
                cells_per_tile = \(resolution.tomlValue)
                """ + (sampler.hasReferenceRanges ? "" : """

                porosity_range = [\(sampler.porosityRange.lowerBound), \(sampler.porosityRange.upperBound)]
                phi2_max = \(sampler.thieleModulusSquaredMax)
                dr_range = [\(sampler.diffusivityRatioRange.lowerBound), \(sampler.diffusivityRatioRange.upperBound)]
                """)
        } else {
            let inputs = inputs!
            let selected = try rows.map { text in
                try text.split(separator: ",").map { part -> Int in
                    guard let k = Int(part.trimmingCharacters(in: .whitespaces)), k >= 0 else {
                        throw UserError("--rows: '\(part)' is not a row number (0-based)")
                    }
                    return k
                }
            }
            let table = try readUnitCellTable(path: inputs, rows: selected)
            campaign = UnitCellCampaign(rows: table, resolution: resolution, shard: shardPart)
            identity = """
                # tissue dns unitcell
                inputs = "\(inputs)"
                rows = "\(rows ?? "all")"
                cells_per_tile = \(resolution.tomlValue)
                """
        }
        let config = identity + (shard == nil ? "" : "\nshard = \"\(shardPart)\"")
        // The sparse LU calls OpenBLAS on small blocks: its worker threads only spin (measured 2× slower).
        setBLASThreads(1)
        let part = OutputOptions.progressPath(outputPath)
        if resume, output.finishedEarlier(outputPath, kind: TrainingSet.kind, config: config, seed: seed,
                                          isValid: { (try? TrainingSet.read(path: $0)) != nil }) { return }
        try output.checkOutput(outputPath)
        var resumeState = UnitCellCampaign.State()
        if FileManager.default.fileExists(atPath: part) {
            if resume {
                resumeState = try UnitCellCampaign.State.read(path: part, identity: identity)
            } else if !output.quiet {
                FileHandle.standardError.write(Data("note: \(part) exists from an earlier run; starting over (use --resume to continue it)\n".utf8))
            }
        }
        let bar = ProgressBar(label: "realisations", total: campaign.plan.count, quiet: output.quiet)
        let source = inputs ?? "sampled (seed \(seed))"
        let outcome = try campaign.run(
            source: source, resume: resumeState, stopAfter: stopAfter, checkpointEvery: checkpointEvery,
            checkpoint: { state in
                try state.write(to: part, identity: identity, seed: seed, programVersion: programVersion)
            },
            failure: { f in FileHandle.standardError.write(Data("\nwarning: \(f.description)\n".utf8)) },
            shouldStop: { StopSignal.requested },
            progress: { done, _ in bar.update(done) })
        guard outcome.complete else {
            if StopSignal.requested { throw StopSignal.exit("progress kept in \(part) (continue with --resume)") }
            throw UserError("stopped after \(stopAfter ?? 0) realisations; progress kept in \(part) (continue with --resume)")
        }
        try AtomicWrite.hdf5(to: outputPath) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: programVersion, config: config, seed: seed).write(to: file)
            try outcome.trainingSet.write(to: file)
            let group = try file.root.group("samples")
            try Self.writeCellsPerTile(resolution.cellsPerTile(of: outcome.trainingSet), to: group)
            try group.setAttribute("failed_samples", outcome.failed.count)
            if !outcome.failed.isEmpty { try group.setAttribute("failed_realizations", outcome.failed) }
        }
        unlink(part)
        var summary: [String: Any] = ["output": outputPath, "realisations": campaign.plan.count,
                                      "samples": outcome.trainingSet.count, "cells_per_tile": resolution.jsonValue,
                                      "failed_samples": outcome.failed.count, "resumed": outcome.resumed,
                                      "transport_seconds": outcome.results.map(\.transportSeconds).reduce(0, +),
                                      "flow_seconds": outcome.results.map(\.flowSeconds).reduce(0, +)]
        if shard != nil { summary["shard"] = shardPart.description }
        if !outcome.comparisons.isEmpty {
            let errors = outcome.comparisons.flatMap { $0.relativeEtaError.map { abs($0) * 100 } }
            summary["eta_error_median_percent"] = errors.quantile(0.5)
            summary["eta_error_p95_percent"] = errors.quantile(0.95)
            summary["eta_error_max_percent"] = errors.max() ?? .nan
            summary["peclet_ratio_median"] = outcome.comparisons.map(\.pecletRatio).quantile(0.5)
            // Entries whose reference η is physically impossible (above the isolated-cell bound).
            let admissible = outcome.comparisons.flatMap { c in
                zip(c.relativeEtaError, c.referenceAboveBound).filter { !$0.1 }.map { abs($0.0) * 100 }
            }
            summary["reference_above_bound"] = errors.count - admissible.count
            summary["eta_error_median_percent_within_bound"] = admissible.quantile(0.5)
            summary["eta_error_p95_percent_within_bound"] = admissible.quantile(0.95)
        }
        if output.json {
            print(Terminal.json(summary))
            return
        }
        print("wrote \(outputPath)")
        for c in outcome.comparisons {
            let cells = zip(c.relativeEtaError, c.referenceAboveBound).map { String(format: "%+.2f%%%@", $0.0 * 100, $0.1 ? "!" : "") }
            print(String(format: "  row %5d  Pe ours/ref %.4f  η error domains 2–5: %@", c.row, c.pecletRatio,
                         cells.joined(separator: " ")))
        }
        for key in summary.keys.sorted() where key != "output" { print("  \(key): \(summary[key]!)") }
    }
}

extension UnitCellCommand {
    /// `/samples/cells_per_tile`: the grid each row's realisation was solved on (one value per row).
    static func writeCellsPerTile(_ cells: [Int], to group: HDF5Group) throws {
        try group.write("cells_per_tile", cells.map(Int64.init), units: "1",
                        longName: "grid cells per 3 um tile of the row's realisation (--cells-per-tile)")
    }
}

/// `tissue dns merge OUT PART…`: join training-set files (e.g. shard outputs) deterministically.
struct DNSMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join training-set files (e.g. the outputs of --shard runs) into one, rows sorted by (realisation, domain).",
        discussion: """
        A realisation may appear in only one input file. The datasets of the merged file are identical to \
        those of a one-process run of the same campaign; failed_samples is summed.
        """)

    @Argument(help: "Merged training-set file to write.")
    var outputPath: String

    @Argument(help: "Training-set files to join.")
    var parts: [String]

    @Flag(help: "Merge a subset of a campaign's shards (default: every shard 1…N must be given).")
    var allowPartial = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give at least one training-set file to merge") }
    }

    func run() throws {
        try output.checkOutput(outputPath)
        var owner: [Int: String] = [:]
        var features: [Double] = [], eta: [Double] = [], inputs: [Double] = []
        var keys: [(realization: Int, domain: Int)] = []
        var failed: [Int] = [], failedCount = 0
        var cellsPerTile: [Int]? = []   // nil once a part lacks /samples/cells_per_tile (older files)
        var seeds: Set<UInt64> = []
        let w = TrainingSet.width, m = TrainingSet.inputNames.count
        var campaignParts: [CampaignMergeCheck.Part] = []
        for path in parts {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            campaignParts.append(.init(path: path, config: try FileHeader.read(from: file).config))
        }
        try CampaignMergeCheck.check(campaignParts, allowPartial: allowPartial)
        for path in parts {
            let set = try TrainingSet.read(path: path)
            let file = try HDF5File.open(path)
            let header = try FileHeader.read(from: file)
            seeds.insert(header.seed)
            let group = try file.root.group("samples")
            if group.hasAttribute("failed_samples") { failedCount += try group.intAttribute("failed_samples") }
            if group.hasAttribute("failed_realizations") { failed += try group.intArrayAttribute("failed_realizations") }
            if cellsPerTile != nil, group.contains("cells_per_tile") {
                cellsPerTile! += try group.dataset("cells_per_tile").read(Int64.self).map { Int($0) }
            } else {
                cellsPerTile = nil
            }
            try? file.close()
            for r in Set(set.realization) {
                if let other = owner[r] {
                    throw UserError("realisation \(r) appears in both \(other) and \(path): the files overlap")
                }
                owner[r] = path
            }
            features += set.features
            eta += set.eta
            inputs += set.inputs
            keys += zip(set.realization, set.domain).map { ($0, $1) }
        }
        var seenKey = Set<[Int]>()
        for k in keys where !seenKey.insert([k.realization, k.domain]).inserted {
            throw UserError("realisation \(k.realization) domain \(k.domain) appears twice")
        }
        let order = keys.indices.sorted { (keys[$0].realization, keys[$0].domain) < (keys[$1].realization, keys[$1].domain) }
        let merged = try TrainingSet(features: order.flatMap { features[($0 * w)..<($0 * w + w)] },
                                     eta: order.map { eta[$0] }, realization: order.map { keys[$0].realization },
                                     domain: order.map { keys[$0].domain },
                                     inputs: order.flatMap { inputs[($0 * m)..<($0 * m + m)] }, source: outputPath)
        // The merged file carries the campaign's identity (like a one-process run) and its sources.
        let identity = try CampaignMergeCheck.identity(campaignParts[0].config)
        let config = identity + "\n" + parts.map { "# merged from \"\($0)\"" }.joined(separator: "\n")
        try AtomicWrite.hdf5(to: outputPath) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: programVersion, config: config,
                           seed: seeds.count == 1 ? seeds.first! : 0).write(to: file)
            try merged.write(to: file)
            let group = try file.root.group("samples")
            if let cellsPerTile, cellsPerTile.count == keys.count {
                try UnitCellCommand.writeCellsPerTile(order.map { cellsPerTile[$0] }, to: group)
            }
            try group.setAttribute("failed_samples", failedCount)
            if !failed.isEmpty { try group.setAttribute("failed_realizations", failed.sorted()) }
        }
        let summary: [String: Any] = ["output": outputPath, "inputs": parts.count, "samples": merged.count,
                                      "realisations": owner.count, "failed_samples": failedCount]
        if output.json {
            print(Terminal.json(summary))
        } else {
            print("wrote \(outputPath): \(merged.count) rows from \(owner.count) realisations in \(parts.count) files")
        }
    }
}

/// `tissue dns audit TABLE`: reference η that the physics rules out, found without any DNS.
struct DNSAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Find the entries of the reference COMSOL table whose η exceeds the physical upper bound.",
        discussion: """
        In the unit-cell row c ≤ cL everywhere, and the uptake increases with c, so no tile can take up more \
        than if every cell were bathed at cL (comparison principle). At the table's own ⟨c⟩^β this bounds η \
        by ⟨c/(Ka+c)⟩ of an isolated cell at cL (a 1-D radial Michaelis–Menten problem, solved to 1e-6) \
        divided by ⟨c⟩^β/(Ka+⟨c⟩^β). Entries above the bound (by more than 0.1 %) are listed, with counts by Dr band.
        """)

    @Argument(help: "The reference COMSOL table (Comsol_output_…csv).", completion: .file(extensions: ["csv"]))
    var table: String

    @Option(help: "How many of the largest violations to list.")
    var show = 10

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard show >= 0 else { throw ValidationError("--show \(show): expected ≥ 0") }
    }

    func run() throws {
        let rows = try readUnitCellTable(path: table)
        guard rows.contains(where: { $0.referenceEta != nil }) else {
            throw UserError("\(table): no reference η columns; expected the COMSOL output table (24 columns)")
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
        if output.json {
            print(Terminal.json([
                "table": table, "entries_checked": checked, "above_bound": violations.count,
                "rows_above_bound": Set(violations.map(\.row)).count, "by_dr_band": byBand,
                "largest": worst.map { ["row": $0.row, "domain": $0.domain, "dr": $0.diffusivityRatio,
                                        "eta_reference": $0.referenceEta, "eta_bound": $0.upperBound] },
            ] as [String: Any]))
            return
        }
        print("\(table): \(violations.count) of \(checked) η entries (domains 2–5) exceed the upper bound, in \(Set(violations.map(\.row)).count) rows")
        for (name, _) in bands {
            print("  Dr \(name): \(byBand[name]!["above_bound"]!) of \(byBand[name]!["checked"]!)")
        }
        for v in worst {
            print(String(format: "  row %5d domain %d  Dr %.4f  η table %.4f  bound %.4f  (%+.1f%%)",
                         v.row, v.domain, v.diffusivityRatio, v.referenceEta, v.upperBound, v.excess * 100))
        }
    }
}
