import Foundation
import HDF5Kit

/// The full state of a training run plus what it was run with, as a `checkpoint` HDF5 file.
///
/// Layout (root header per DESIGN §5 with kind "checkpoint" and the run's seed):
/// - `/checkpoint` attributes: `precision`, `activation`, `epoch` (completed), `best_epoch`,
///   `best_validation_loss`, `epochs_since_improvement`, `stopped_on_non_finite_loss`,
///   `adam_step`, `adam_learning_rate` (last used), the training settings (`batch_size`, `loss`, `learning_rate`, `schedule`,
///   `schedule_rate`, `schedule_factor`, `schedule_every`, `beta1`, `beta2`, `epsilon`,
///   `min_delta`, `epochs`, `patience`, `checkpoint_interval`), `training_rows`, `validation_rows`
/// - `/checkpoint/widths` (int64), `/checkpoint/rng_state` (uint64 [1]),
///   `/checkpoint/data_fingerprints` (uint64 [2]: training, validation)
/// - `/checkpoint/layers/K/W|b` current weights; `/checkpoint/best/K/W|b` best weights;
///   `/checkpoint/adam/K/m_W|v_W|m_b|v_b` Adam moments
/// - `/checkpoint/history/train_loss|validation_loss|validation_mape|learning_rate|seconds`
///
/// An encoder–decoder checkpoint instead has the attribute `architecture` = "encoder-decoder"
/// with the spec (`size`, `channels`, `pool_factors`, `convolutions_per_block`, `kernel`,
/// `leaky_slope`) and flat `/checkpoint/parameters`, `/checkpoint/best_parameters`,
/// `/checkpoint/adam/m`, `/checkpoint/adam/v` (order of `EncoderDecoderSpec.tensorSizes`).
public struct TrainingCheckpoint<T: TrainableScalar>: Sendable {
    public static var kind: String { "checkpoint" }

    public var state: TrainingState<T>
    public var config: TrainingConfig
    public var trainingRows: Int
    public var trainingFingerprint: UInt64
    public var validationRows: Int
    public var validationFingerprint: UInt64

    public init(state: TrainingState<T>, config: TrainingConfig, trainingRows: Int, trainingFingerprint: UInt64,
                validationRows: Int, validationFingerprint: UInt64) {
        self.state = state
        self.config = config
        self.trainingRows = trainingRows
        self.trainingFingerprint = trainingFingerprint
        self.validationRows = validationRows
        self.validationFingerprint = validationFingerprint
    }

    // MARK: Writing

    /// Writes the checkpoint atomically (`AtomicWrite.hdf5`).
    public func write(to path: String, programVersion: String, configText: String) throws {
        let s = state
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: Self.kind, programVersion: programVersion, config: configText,
                           seed: config.seed).write(to: file)
            let g = try file.root.createGroup("checkpoint")
            try g.setAttribute("precision", T.precisionName)
            try writeCommon(g)
            switch s.architecture {
            case .dense(let layout, let activation):
                try writeDense(g, layout: layout, activation: activation)
            case .encoderDecoder(let spec):
                try g.setAttribute("architecture", "encoder-decoder")
                try spec.writeAttributes(to: g)
                try g.write("parameters", s.parameters, units: "1", longName: "current parameters, flat")
                try g.write("best_parameters", s.bestParameters, units: "1", longName: "best parameters, flat")
                try g.write("adam/m", s.adam.firstMoment, units: "1", longName: "Adam first moment, flat")
                try g.write("adam/v", s.adam.secondMoment, units: "1", longName: "Adam second moment, flat")
            }
        }
    }

    /// The attributes, RNG state, fingerprints and history every checkpoint holds.
    private func writeCommon(_ g: HDF5Group) throws {
        let s = state
        try g.setAttribute("epoch", s.epoch)
        try g.setAttribute("best_epoch", s.bestEpoch)
        try g.setAttribute("best_validation_loss", s.bestValidationLoss)
        try g.setAttribute("epochs_since_improvement", s.epochsSinceImprovement)
        try g.setAttribute("stopped_on_non_finite_loss", s.stoppedOnNonFiniteLoss ? 1 : 0)
        try g.setAttribute("adam_step", s.adam.step)
        try g.setAttribute("adam_learning_rate", s.adam.learningRate)
        try g.setAttribute("batch_size", config.batchSize)
        try g.setAttribute("loss", config.loss.rawValue)
        try g.setAttribute("learning_rate", config.learningRate)
        switch config.schedule {
        case .constant:
            try g.setAttribute("schedule", "constant")
        case .exponential(let rate):
            try g.setAttribute("schedule", "exponential")
            try g.setAttribute("schedule_rate", rate)
        case .step(let factor, let every):
            try g.setAttribute("schedule", "step")
            try g.setAttribute("schedule_factor", factor)
            try g.setAttribute("schedule_every", every)
        }
        try g.setAttribute("beta1", config.beta1)
        try g.setAttribute("beta2", config.beta2)
        try g.setAttribute("epsilon", config.epsilon)
        try g.setAttribute("min_delta", config.minDelta)
        try g.setAttribute("epochs", config.epochs)
        try g.setAttribute("patience", config.patience)
        try g.setAttribute("checkpoint_interval", config.checkpointInterval)
        try g.setAttribute("training_rows", trainingRows)
        try g.setAttribute("validation_rows", validationRows)
        try g.write("rng_state", [s.rngState], units: "1", longName: "SplitMix64 state of the shuffling stream")
        try g.write("data_fingerprints", [trainingFingerprint, validationFingerprint], units: "1",
                    longName: "FNV-1a 64 of the training and validation data")
        let h = try g.createGroup("history")
        try h.write("train_loss", s.history.trainLoss, units: "1", longName: "mean training loss per epoch")
        try h.write("validation_loss", s.history.validationLoss, units: "1", longName: "validation loss per epoch")
        try h.write("validation_mape", s.history.validationMAPE, units: "1", longName: "validation MAPE (percent) per epoch")
        try h.write("learning_rate", s.history.learningRate, units: "1", longName: "learning rate per epoch")
        try h.write("seconds", s.history.seconds, units: "s", longName: "wall-clock time per epoch")
    }

    /// The dense layout: activation, widths and per-layer tensors.
    private func writeDense(_ g: HDF5Group, layout: ParameterLayout, activation: Activation) throws {
        let s = state
        try g.setAttribute("activation", activation.rawValue)
        try g.write("widths", layout.widths.map { Int64($0) }, units: "1", longName: "layer widths, input first")

        /// One group per layer under `group`, each holding every (W name, b name, values) set.
        func writeTensors(_ group: HDF5Group, _ sets: [(String, String, [T], String)]) throws {
            for k in 0..<layout.layerCount {
                let lg = try group.createGroup(String(k))
                let (i, o) = (layout.widths[k], layout.widths[k + 1])
                let w = layout.weightOffsets[k], b = layout.biasOffsets[k]
                for (wName, bName, values, what) in sets {
                    try lg.write(wName, Array(values[w..<(w + i * o)]), shape: [o, i], units: "1",
                                 longName: "\(what) of the weights of dense layer \(k) (outputs × inputs)")
                    try lg.write(bName, Array(values[b..<(b + o)]), units: "1",
                                 longName: "\(what) of the biases of dense layer \(k)")
                }
            }
        }
        try writeTensors(try g.createGroup("layers"), [("W", "b", s.parameters, "current values")])
        try writeTensors(try g.createGroup("best"), [("W", "b", s.bestParameters, "best values")])
        try writeTensors(try g.createGroup("adam"), [("m_W", "m_b", s.adam.firstMoment, "Adam first moment"),
                                                     ("v_W", "v_b", s.adam.secondMoment, "Adam second moment")])
    }

    // MARK: Reading

    /// Reads and checks a checkpoint: header kind, precision, widths, every tensor's shape, history lengths.
    public static func read(path: String) throws -> TrainingCheckpoint<T> {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file, expecting: kind)
        func fail(_ message: String) -> NeuralNetError { NeuralNetError.file("\(path): \(message)") }
        guard file.root.contains("checkpoint") else { throw fail("no /checkpoint group") }
        let g = try file.root.group("checkpoint")
        let precision = try g.stringAttribute("precision")
        guard precision == T.precisionName else {
            throw fail("checkpoint holds \(precision) weights, this run trains in \(T.precisionName)")
        }
        let weights = g.hasAttribute("architecture") ? try readEncoderDecoderWeights(g, fail: fail)
                                                       : try readDenseWeights(g, fail: fail)
        let config = try readConfig(g, seed: header.seed, fail: fail)
        let adam = try readAdam(g, weights, config: config, fail: fail)
        let epoch = try g.intAttribute("epoch")
        let history = try readHistory(g, epoch: epoch, fail: fail)
        let rng = try g.dataset("rng_state").read(UInt64.self)
        let fingerprints = try g.dataset("data_fingerprints").read(UInt64.self)
        guard rng.count == 1, fingerprints.count == 2 else {
            throw fail("/checkpoint/rng_state must hold 1 value and /checkpoint/data_fingerprints 2")
        }
        let bestEpoch = try g.intAttribute("best_epoch")
        let since = try g.intAttribute("epochs_since_improvement")
        guard (0...epoch).contains(bestEpoch), since >= 0 else {
            throw fail("best_epoch \(bestEpoch) / epochs_since_improvement \(since) inconsistent with epoch \(epoch)")
        }
        let state = TrainingState<T>(
            architecture: weights.architecture, parameters: weights.parameters, adam: adam, epoch: epoch,
            rngState: rng[0], bestParameters: weights.best, bestValidationLoss: try g.doubleAttribute("best_validation_loss"),
            bestEpoch: bestEpoch, epochsSinceImprovement: since, history: history,
            stoppedOnNonFiniteLoss: try g.intAttribute("stopped_on_non_finite_loss") != 0)
        return TrainingCheckpoint(state: state, config: config, trainingRows: try g.intAttribute("training_rows"),
                                  trainingFingerprint: fingerprints[0],
                                  validationRows: try g.intAttribute("validation_rows"),
                                  validationFingerprint: fingerprints[1])
    }

    /// The architecture and the flat current weights, best weights and Adam moments of a checkpoint.
    private struct StoredWeights {
        let architecture: NetworkArchitecture
        let parameters: [T], best: [T], first: [T], second: [T]
    }

    /// The weights of an encoder–decoder checkpoint (attribute `architecture`, flat tensors).
    private static func readEncoderDecoderWeights(_ g: HDF5Group, fail: (String) -> NeuralNetError) throws -> StoredWeights {
        let name = try g.stringAttribute("architecture")
        guard name == "encoder-decoder" else { throw fail("architecture '\(name)' is not 'encoder-decoder' (or absent: dense)") }
        let spec: EncoderDecoderSpec
        do { spec = try EncoderDecoderSpec(attributesOf: g) } catch let error as NeuralNetError { throw fail("\(error)") }
        func flat(_ p: String) throws -> [T] {
            guard g.contains(p) else { throw fail("/checkpoint/\(p) is missing") }
            let d = try g.dataset(p)
            guard d.shape == [spec.parameterCount] else {
                throw fail("/checkpoint/\(p) has shape \(d.shape), expected [\(spec.parameterCount)] for \(spec)")
            }
            return try d.read(T.self)
        }
        return StoredWeights(architecture: .encoderDecoder(spec), parameters: try flat("parameters"),
                             best: try flat("best_parameters"), first: try flat("adam/m"), second: try flat("adam/v"))
    }

    /// The weights of a dense checkpoint (activation, widths, W and b per layer).
    private static func readDenseWeights(_ g: HDF5Group, fail: (String) -> NeuralNetError) throws -> StoredWeights {
        let activationName = try g.stringAttribute("activation")
        guard let activation = Activation(rawValue: activationName) else {
            throw fail("activation '\(activationName)' is not one of \(Activation.allCases.map(\.rawValue))")
        }
        let widths = try g.dataset("widths").read(Int64.self).map { Int($0) }
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else {
            throw fail("/checkpoint/widths \(widths) is not a list of at least two positive widths")
        }
        guard !parameterCountOverflows(widths) else {
            throw fail("/checkpoint/widths \(widths.prefix(8))\(widths.count > 8 ? "…" : "") give more than 2^48 parameters")
        }
        let layout = ParameterLayout(widths: widths)
        func readTensors(_ groupPath: String, names: (String, String)) throws -> [T] {
            // No reserveCapacity(layout.count): the widths are not yet known to match the
            // tensors (fuzz target `checkpoint`: 2^40 parameters reserved 1.6 TB); each tensor
            // is read only after its shape matched, and reads are bounded by HDF5Kit.
            var flat: [T] = []
            for k in 0..<layout.layerCount {
                let (i, o) = (layout.widths[k], layout.widths[k + 1])
                for (name, shape) in [(names.0, [o, i]), (names.1, [o])] {
                    let p = "\(groupPath)/\(k)/\(name)"
                    guard g.contains(p) else { throw fail("/checkpoint/\(p) is missing") }
                    let d = try g.dataset(p)
                    guard d.shape == shape else {
                        throw fail("/checkpoint/\(p) has shape \(d.shape), expected \(shape) for widths \(widths)")
                    }
                    flat.append(contentsOf: try d.read(T.self))
                }
            }
            return flat
        }
        return StoredWeights(architecture: .dense(layout, activation), parameters: try readTensors("layers", names: ("W", "b")),
                             best: try readTensors("best", names: ("W", "b")),
                             first: try readTensors("adam", names: ("m_W", "m_b")),
                             second: try readTensors("adam", names: ("v_W", "v_b")))
    }

    /// Whether dense `widths` give more than 2^48 parameters (W (out × in) + b per layer), counted
    /// without overflow (fuzz target `checkpoint`: damaged widths trapped in ParameterLayout); the
    /// tensors' shapes are checked against the widths, so a count the file cannot hold is refused there.
    private static func parameterCountOverflows(_ widths: [Int]) -> Bool {
        var parameterCount = 0, overflow = false
        for k in 0..<(widths.count - 1) where !overflow {
            let (weights, o1) = widths[k].multipliedReportingOverflow(by: widths[k + 1])
            let (layer, o2) = weights.addingReportingOverflow(widths[k + 1])
            let (total, o3) = parameterCount.addingReportingOverflow(layer)
            (parameterCount, overflow) = (total, o1 || o2 || o3 || total > 1 << 48)
        }
        return overflow
    }

    /// Adam's state: step, learning rate and the moments read with the weights.
    private static func readAdam(_ g: HDF5Group, _ weights: StoredWeights, config: TrainingConfig,
                                 fail: (String) -> NeuralNetError) throws -> Adam<T> {
        // Adam's step counts updates (bias correction β^t): 0...2^53 is more than any run makes.
        let adamStep = try g.intAttribute("adam_step")
        guard adamStep >= 0, adamStep <= 1 << 53 else { throw fail("adam_step = \(adamStep) is outside 0...2^53") }
        do {
            return try Adam<T>(tensorSizes: weights.architecture.tensorSizes,
                               learningRate: try g.doubleAttribute("adam_learning_rate"),
                               beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon, step: adamStep,
                               firstMoment: weights.first, secondMoment: weights.second)
        } catch let error as NeuralNetError { throw fail("\(error)") }
    }

    /// The per-epoch history, one value per completed epoch in each series.
    private static func readHistory(_ g: HDF5Group, epoch: Int, fail: (String) -> NeuralNetError) throws -> TrainingHistory {
        var history = TrainingHistory()
        let h = try g.group("history")
        history.trainLoss = try h.dataset("train_loss").read(Double.self)
        history.validationLoss = try h.dataset("validation_loss").read(Double.self)
        history.validationMAPE = try h.dataset("validation_mape").read(Double.self)
        history.learningRate = try h.dataset("learning_rate").read(Double.self)
        history.seconds = try h.dataset("seconds").read(Double.self)
        let lengths = [history.trainLoss.count, history.validationLoss.count, history.validationMAPE.count,
                       history.learningRate.count, history.seconds.count]
        guard epoch >= 0, lengths.allSatisfy({ $0 == epoch }) else {
            throw fail("/checkpoint/history has lengths \(lengths), expected \(epoch) (the completed epochs)")
        }
        return history
    }

    private static func readConfig(_ g: HDF5Group, seed: UInt64, fail: (String) -> NeuralNetError) throws -> TrainingConfig {
        let lossName = try g.stringAttribute("loss")
        guard let loss = Loss(rawValue: lossName) else {
            throw fail("loss '\(lossName)' is not one of \(Loss.allCases.map(\.rawValue))")
        }
        let schedule: LearningRateSchedule
        switch try g.stringAttribute("schedule") {
        case "constant": schedule = .constant
        case "exponential": schedule = .exponential(rate: try g.doubleAttribute("schedule_rate"))
        case "step": schedule = .step(factor: try g.doubleAttribute("schedule_factor"), every: try g.intAttribute("schedule_every"))
        case let other: throw fail("learning-rate schedule '\(other)' is not constant, exponential or step")
        }
        return TrainingConfig(epochs: try g.intAttribute("epochs"), batchSize: try g.intAttribute("batch_size"), loss: loss,
                              learningRate: try g.doubleAttribute("learning_rate"), schedule: schedule,
                              beta1: try g.doubleAttribute("beta1"), beta2: try g.doubleAttribute("beta2"),
                              epsilon: try g.doubleAttribute("epsilon"), seed: seed,
                              patience: try g.intAttribute("patience"), minDelta: try g.doubleAttribute("min_delta"),
                              checkpointInterval: try g.intAttribute("checkpoint_interval"))
    }

    /// Throws (naming `path`) unless a run with `config` on this data continues this checkpoint exactly.
    public func checkResumable(config new: TrainingConfig, training: TrainingData<T>, validation: TrainingData<T>,
                               path: String) throws {
        var differences: [String] = []
        func compare<V: Equatable>(_ name: String, _ saved: V, _ now: V) {
            if saved != now { differences.append("\(name) \(saved) (checkpoint) vs \(now) (now)") }
        }
        compare("batch size", config.batchSize, new.batchSize)
        compare("loss", config.loss.rawValue, new.loss.rawValue)
        compare("learning rate", config.learningRate, new.learningRate)
        compare("learning-rate schedule", config.schedule.description, new.schedule.description)
        compare("beta1", config.beta1, new.beta1)
        compare("beta2", config.beta2, new.beta2)
        compare("epsilon", config.epsilon, new.epsilon)
        compare("seed", config.seed, new.seed)
        compare("min delta", config.minDelta, new.minDelta)
        compare("training rows", trainingRows, training.rows)
        compare("validation rows", validationRows, validation.rows)
        if trainingRows == training.rows && trainingFingerprint != training.fingerprint {
            differences.append("training data differ (fingerprint \(trainingFingerprint) vs \(training.fingerprint))")
        }
        if validationRows == validation.rows && validationFingerprint != validation.fingerprint {
            differences.append("validation data differ (fingerprint \(validationFingerprint) vs \(validation.fingerprint))")
        }
        let a = state.architecture
        if a.inputWidth != training.inputWidth || a.outputWidth != training.outputWidth {
            let name: String
            if case .dense(let layout, _) = a { name = "\(layout.widths)" } else { name = a.description }
            differences.append("network \(name) does not take \(training.inputWidth) features to \(training.outputWidth) targets")
        }
        guard differences.isEmpty else {
            throw NeuralNetError.file("\(path): cannot resume, the run differs from the checkpoint: "
                                      + differences.joined(separator: "; "))
        }
    }
}
