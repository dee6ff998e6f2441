import Foundation
import HDF5Kit
import Numerics

/// A precision the trainer can run in and checkpoint: Float or Double.
public typealias TrainableScalar = BLASScalar & HDF5Scalar

/// Rows for training or validation: scaled features (rows × inputWidth, row-major) and
/// targets (rows × outputWidth).
public struct TrainingData<T: TrainableScalar>: Sendable {
    public let features: [T]
    public let targets: [T]
    public let rows: Int
    public let inputWidth: Int
    public let outputWidth: Int
    /// Optional per-target loss weights wᵢ (rows × outputWidth, ≥ 0): the loss becomes
    /// (1/n) Σ wᵢ ℓᵢ (e.g. a source-weighted loss). nil = unweighted.
    public let weights: [T]?
    /// FNV-1a (64-bit) of the widths and the bit patterns of features, targets (and weights, if
    /// any): a checkpoint remembers it so that a resume on other data is refused.
    public let fingerprint: UInt64

    public init(features: [T], targets: [T], inputWidth: Int, outputWidth: Int = 1, weights: [T]? = nil) throws {
        guard inputWidth > 0, outputWidth > 0 else {
            throw NeuralNetError.shape("training data needs positive widths, got \(inputWidth) inputs and \(outputWidth) outputs")
        }
        guard features.count % inputWidth == 0 else {
            throw NeuralNetError.shape("\(features.count) feature values do not form rows of \(inputWidth)")
        }
        let rows = features.count / inputWidth
        guard targets.count == rows * outputWidth else {
            throw NeuralNetError.shape("\(rows) rows need \(rows * outputWidth) targets, got \(targets.count)")
        }
        if let i = features.firstIndex(where: { !$0.isFinite }) {
            throw NeuralNetError.shape("feature value at row \(i / inputWidth), column \(i % inputWidth) is not finite (\(features[i]))")
        }
        if let i = targets.firstIndex(where: { !$0.isFinite }) {
            throw NeuralNetError.shape("target at row \(i / outputWidth) is not finite (\(targets[i]))")
        }
        if let weights {
            guard weights.count == targets.count else {
                throw NeuralNetError.shape("\(targets.count) targets need as many loss weights, got \(weights.count)")
            }
            if let i = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw NeuralNetError.shape("loss weight \(i) is negative or not finite (\(weights[i]))")
            }
        }
        self.weights = weights
        self.features = features
        self.targets = targets
        self.rows = rows
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        withUnsafeBytes(of: Int64(inputWidth)) { mix($0) }
        withUnsafeBytes(of: Int64(outputWidth)) { mix($0) }
        features.withUnsafeBytes { mix($0) }
        targets.withUnsafeBytes { mix($0) }
        weights?.withUnsafeBytes { mix($0) }
        fingerprint = h
    }
}

/// What to train and how. Defaults: the reference's batch 256, Adam 1e-3, MAPE loss.
public struct TrainingConfig: Sendable, Equatable {
    /// Maximum number of epochs.
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    /// Initial learning rate lr₀.
    public var learningRate: Double
    /// Learning rate per epoch.
    public var schedule: LearningRateSchedule
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Seed of the shuffling stream (the network's initial weights are the caller's).
    public var seed: UInt64
    /// Early stopping: stop after this many epochs without a validation-loss improvement
    /// (0 = never). The best weights are kept in any case.
    public var patience: Int
    /// An improvement must lower the best validation loss by more than this.
    public var minDelta: Double
    /// Write a checkpoint every this many epochs (0 = never; without a `CheckpointDestination`
    /// given to the trainer nothing is written).
    public var checkpointInterval: Int

    public init(epochs: Int = 100, batchSize: Int = 256, loss: Loss = .mape, learningRate: Double = 1e-3,
                schedule: LearningRateSchedule = .constant, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, seed: UInt64 = 0, patience: Int = 0, minDelta: Double = 0,
                checkpointInterval: Int = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.loss = loss
        self.learningRate = learningRate
        self.schedule = schedule
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.seed = seed
        self.patience = patience
        self.minDelta = minDelta
        self.checkpointInterval = checkpointInterval
    }

    public func validate() throws {
        guard epochs >= 1 else { throw NeuralNetError.settings("epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw NeuralNetError.settings("batch size must be ≥ 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw NeuralNetError.settings("learning rate must be positive, got \(learningRate)")
        }
        try schedule.validate()
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw NeuralNetError.settings("Adam betas must lie in [0, 1), got \(beta1), \(beta2)")
        }
        guard epsilon > 0 else { throw NeuralNetError.settings("Adam epsilon must be positive, got \(epsilon)") }
        guard patience >= 0 else { throw NeuralNetError.settings("patience must be ≥ 0, got \(patience)") }
        guard minDelta >= 0 else { throw NeuralNetError.settings("min delta must be ≥ 0, got \(minDelta)") }
        guard checkpointInterval >= 0 else {
            throw NeuralNetError.settings("checkpoint interval must be ≥ 0, got \(checkpointInterval)")
        }
    }
}

/// Where checkpoints go, and the provenance written into their header.
public struct CheckpointDestination: Sendable, Equatable {
    public var path: String
    public var programVersion: String
    /// The resolved configuration (TOML text) stored in the file header.
    public var configText: String

    public init(path: String, programVersion: String, configText: String = "") {
        self.path = path
        self.programVersion = programVersion
        self.configText = configText
    }
}

/// Per-epoch losses.
public struct TrainingHistory: Sendable, Equatable {
    /// Mean training loss over the epoch's mini-batches (weighted by batch size).
    public var trainLoss: [Double] = []
    public var validationLoss: [Double] = []
    public var validationMAPE: [Double] = []
    public var learningRate: [Double] = []
    /// Wall-clock seconds per epoch.
    public var seconds: [Double] = []

    public init() {}

    public var count: Int { trainLoss.count }
}

/// Why a run ended.
public enum StopReason: String, Sendable, Equatable {
    /// The configured number of epochs was reached.
    case maxEpochs = "max_epochs"
    /// `patience` epochs went by without a validation-loss improvement.
    case earlyStopping = "early_stopping"
    /// A training or validation loss became NaN or infinite.
    case nonFiniteLoss = "non_finite_loss"
}

/// Reported after each epoch (e.g. to draw a progress bar).
public struct EpochReport: Sendable, Equatable {
    /// 1-based.
    public let epoch: Int
    /// The configured maximum.
    public let epochs: Int
    public let trainLoss: Double
    public let validationLoss: Double
    public let validationMAPE: Double
    public let learningRate: Double
    public let seconds: Double
    /// This epoch's weights are the best so far.
    public let isBest: Bool
    public let bestEpoch: Int
    public let checkpointWritten: Bool

    @inlinable
    public init(epoch: Int, epochs: Int, trainLoss: Double, validationLoss: Double, validationMAPE: Double,
                learningRate: Double, seconds: Double, isBest: Bool, bestEpoch: Int, checkpointWritten: Bool) {
        self.epoch = epoch
        self.epochs = epochs
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationMAPE = validationMAPE
        self.learningRate = learningRate
        self.seconds = seconds
        self.isBest = isBest
        self.bestEpoch = bestEpoch
        self.checkpointWritten = checkpointWritten
    }
}

/// Everything that determines the rest of a run: saved in a checkpoint.
public struct TrainingState<T: TrainableScalar>: Sendable, Equatable {
    public var architecture: NetworkArchitecture
    /// Current weights (flat, `ParameterLayout` order).
    public var parameters: [T]
    public var adam: Adam<T>
    /// Completed epochs.
    public var epoch: Int
    /// State of the shuffling generator after the last completed epoch.
    public var rngState: UInt64
    public var bestParameters: [T]
    /// +∞ until an epoch has a finite validation loss.
    public var bestValidationLoss: Double
    /// Epoch (1-based) of the best weights; 0 = the initial weights.
    public var bestEpoch: Int
    public var epochsSinceImprovement: Int
    public var history: TrainingHistory
    /// Set when a non-finite loss ended the run.
    public var stoppedOnNonFiniteLoss: Bool

    public init(architecture: NetworkArchitecture, parameters: [T], adam: Adam<T>, epoch: Int,
                rngState: UInt64, bestParameters: [T], bestValidationLoss: Double, bestEpoch: Int,
                epochsSinceImprovement: Int, history: TrainingHistory, stoppedOnNonFiniteLoss: Bool) {
        self.architecture = architecture
        self.parameters = parameters
        self.adam = adam
        self.epoch = epoch
        self.rngState = rngState
        self.bestParameters = bestParameters
        self.bestValidationLoss = bestValidationLoss
        self.bestEpoch = bestEpoch
        self.epochsSinceImprovement = epochsSinceImprovement
        self.history = history
        self.stoppedOnNonFiniteLoss = stoppedOnNonFiniteLoss
    }

    /// The current weights as a dense network (dense architectures only).
    public func network() throws -> DenseNetwork<T> { try Self.dense(architecture, parameters) }
    public func bestNetwork() throws -> DenseNetwork<T> { try Self.dense(architecture, bestParameters) }

    /// Dense weights of `architecture`; throws `NeuralNetError.architecture` for another architecture.
    static func dense(_ architecture: NetworkArchitecture, _ parameters: [T]) throws -> DenseNetwork<T> {
        guard case .dense(let layout, let activation) = architecture else {
            throw NeuralNetError.architecture("a \(architecture.description) is not a dense network")
        }
        return try DenseNetwork(layout: layout, activation: activation, parameters: parameters)
    }
}

/// The outcome of `Trainer.run`.
public struct TrainingResult<T: TrainableScalar>: Sendable {
    public let architecture: NetworkArchitecture
    /// The best weights (lowest validation loss), flat.
    public let parameters: [T]
    /// The weights after the last epoch run, flat.
    public let finalParameters: [T]
    public let history: TrainingHistory
    /// Epoch (1-based) of `parameters`; 0 if no epoch improved on the initial weights.
    public let bestEpoch: Int
    public let bestValidationLoss: Double
    /// Epochs completed (including those before a resume).
    public let epochsRun: Int
    public let stopReason: StopReason

    @inlinable
    public init(architecture: NetworkArchitecture, parameters: [T], finalParameters: [T], history: TrainingHistory,
                bestEpoch: Int, bestValidationLoss: Double, epochsRun: Int, stopReason: StopReason) {
        self.architecture = architecture
        self.parameters = parameters
        self.finalParameters = finalParameters
        self.history = history
        self.bestEpoch = bestEpoch
        self.bestValidationLoss = bestValidationLoss
        self.epochsRun = epochsRun
        self.stopReason = stopReason
    }

    /// The best weights as a dense network (dense architectures only, else `NeuralNetError.architecture`).
    public func network() throws -> DenseNetwork<T> { try TrainingState<T>.dense(architecture, parameters) }
    /// The weights after the last epoch as a dense network (dense architectures only).
    public func finalNetwork() throws -> DenseNetwork<T> { try TrainingState<T>.dense(architecture, finalParameters) }

    /// The best weights as an encoder–decoder (encoder–decoder architectures only, else
    /// `NeuralNetError.architecture`).
    public func encoderDecoder() throws -> EncoderDecoder<T> {
        guard case .encoderDecoder(let spec) = architecture else {
            throw NeuralNetError.architecture("a \(architecture.description) is not an encoder–decoder")
        }
        return try EncoderDecoder(spec: spec, parameters: parameters)
    }
}

/// Mini-batch training with Adam of a `DenseNetwork` or an `EncoderDecoder` (any
/// `NetworkArchitecture`; the loop is generic over `TrainingWorkspace`).
///
/// Each epoch: shuffle the training rows (Fisher–Yates from the identity with the seeded
/// shuffling stream), one Adam step per mini-batch (the last one may be partial), then the
/// validation loss and MAPE with the new weights. The best weights by validation loss are
/// kept; early stopping after `patience` epochs without improvement. Same seed, data,
/// config and BLAS thread count give bit-identical weights, also across a checkpoint/resume.
/// (OpenBLAS may sum in another order for another thread count or another number of rows per
/// GEMM, so a different thread count or batch size gives equally good but different weights.)
///
/// `run` is `@inlinable` so that callers in other modules get it specialised for their
/// precision (unspecialised generic element loops are an order of magnitude slower).
public final class Trainer<T: TrainableScalar> {
    public let config: TrainingConfig
    public let training: TrainingData<T>
    public let validation: TrainingData<T>
    public var checkpoint: CheckpointDestination?
    @usableFromInline var _state: TrainingState<T>

    /// The state after the last completed epoch (what a checkpoint would hold).
    public var state: TrainingState<T> { _state }
    /// The current (not necessarily best) weights.
    public func network() throws -> DenseNetwork<T> { try _state.network() }

    /// A fresh run from `network`'s weights.
    public convenience init(network: DenseNetwork<T>, training: TrainingData<T>, validation: TrainingData<T>,
                            config: TrainingConfig, checkpoint: CheckpointDestination? = nil) throws {
        try self.init(architecture: .dense(network.parameterLayout, network.activation), parameters: network.flatParameters,
                      training: training, validation: validation, config: config, checkpoint: checkpoint)
    }

    /// A fresh run from an encoder–decoder's weights.
    public convenience init(encoderDecoder model: EncoderDecoder<T>, training: TrainingData<T>, validation: TrainingData<T>,
                            config: TrainingConfig, checkpoint: CheckpointDestination? = nil) throws {
        try self.init(architecture: .encoderDecoder(model.spec), parameters: model.parameters,
                      training: training, validation: validation, config: config, checkpoint: checkpoint)
    }

    /// A fresh run of `architecture` from the flat `parameters`.
    public init(architecture: NetworkArchitecture, parameters: [T], training: TrainingData<T>, validation: TrainingData<T>,
                config: TrainingConfig, checkpoint: CheckpointDestination? = nil) throws {
        guard parameters.count == architecture.parameterCount else {
            throw NeuralNetError.shape("\(architecture.description) needs \(architecture.parameterCount) parameters, got \(parameters.count)")
        }
        try Self.check(architecture: architecture, training: training, validation: validation, config: config,
                       checkpoint: checkpoint)
        self.config = config
        self.training = training
        self.validation = validation
        self.checkpoint = checkpoint
        _state = TrainingState(
            architecture: architecture, parameters: parameters,
            adam: Adam(tensorSizes: architecture.tensorSizes, learningRate: config.learningRate, beta1: config.beta1,
                       beta2: config.beta2, epsilon: config.epsilon),
            epoch: 0, rngState: RandomStreams.shuffling(seed: config.seed).state,
            bestParameters: parameters, bestValidationLoss: .infinity, bestEpoch: 0, epochsSinceImprovement: 0,
            history: TrainingHistory(), stoppedOnNonFiniteLoss: false)
    }

    /// Continues a run from a checkpoint file. The config's trajectory-determining settings
    /// (batch size, loss, learning rate and schedule, Adam constants, seed, min delta) and the
    /// data must be those of the checkpointed run; `epochs`, `patience` and the checkpoint
    /// interval may change.
    public init(resumingFrom path: String, training: TrainingData<T>, validation: TrainingData<T>,
                config: TrainingConfig, checkpoint: CheckpointDestination? = nil) throws {
        let saved = try TrainingCheckpoint<T>.read(path: path)
        try saved.checkResumable(config: config, training: training, validation: validation, path: path)
        try Self.check(architecture: saved.state.architecture, training: training, validation: validation, config: config,
                       checkpoint: checkpoint)
        self.config = config
        self.training = training
        self.validation = validation
        self.checkpoint = checkpoint
        _state = saved.state
    }

    private static func check(architecture: NetworkArchitecture, training: TrainingData<T>, validation: TrainingData<T>,
                              config: TrainingConfig, checkpoint: CheckpointDestination?) throws {
        try config.validate()
        let (inW, outW) = (architecture.inputWidth, architecture.outputWidth)
        for (name, data) in [("training", training), ("validation", validation)] {
            guard data.inputWidth == inW, data.outputWidth == outW else {
                throw NeuralNetError.shape("\(name) data has \(data.inputWidth) features and \(data.outputWidth) targets per row, the network takes \(inW) and gives \(outW)")
            }
        }
        guard training.rows >= 1 else { throw NeuralNetError.shape("no training rows") }
        guard validation.rows >= 1 else { throw NeuralNetError.shape("no validation rows (needed for the best weights and early stopping)") }
        if config.checkpointInterval > 0, let checkpoint {
            try AtomicWrite.checkDestination(checkpoint.path)
        }
    }

    /// The checkpoint of the current state.
    public var checkpointContents: TrainingCheckpoint<T> {
        TrainingCheckpoint(state: _state, config: config, trainingRows: training.rows,
                           trainingFingerprint: training.fingerprint, validationRows: validation.rows,
                           validationFingerprint: validation.fingerprint)
    }

    /// Writes the current state to `destination` (atomically).
    public func writeCheckpoint(to destination: CheckpointDestination) throws {
        try checkpointContents.write(to: destination.path, programVersion: destination.programVersion,
                                     configText: destination.configText)
    }

    /// Runs epochs until `config.epochs`, early stopping or a non-finite loss; calls
    /// `onEpoch` after each (after any checkpoint of that epoch is written). May be called on a
    /// resumed trainer; an error thrown by `onEpoch` stops the run with the state of that epoch kept.
    @inlinable
    public func run(onEpoch: (EpochReport) throws -> Void = { _ in }) throws -> TrainingResult<T> {
        let capacity = Swift.min(config.batchSize, Swift.max(training.rows, validation.rows))
        switch _state.architecture {
        case .dense(let layout, let activation):
            return try run(workspace: Backpropagation<T>(layout: layout, activation: activation, capacity: capacity),
                           onEpoch: onEpoch)
        case .encoderDecoder(let spec):
            return try run(workspace: EncoderDecoderWorkspace<T>(spec: spec, capacity: capacity), onEpoch: onEpoch)
        }
    }

    /// The epoch loop on a workspace of the state's architecture.
    @inlinable
    func run<W: TrainingWorkspace>(workspace bp: W, onEpoch: (EpochReport) throws -> Void) throws -> TrainingResult<T>
        where W.Scalar == T
    {
        let scratch = TrainingScratch<T>(parameters: _state.parameters, capacity: bp.capacity,
                                         inputWidth: training.inputWidth, outputWidth: training.outputWidth,
                                         weighted: training.weights != nil)
        defer { scratch.deallocate() }
        var adam = _state.adam
        var order = [Int](repeating: 0, count: training.rows)
        while true {
            if let reason = pendingStopReason { return result(stoppedBy: reason) }
            let start = DispatchTime.now().uptimeNanoseconds
            let lr = config.schedule.learningRate(initial: config.learningRate, epoch: _state.epoch)
            adam.learningRate = lr
            var rng = SplitMix64(seed: _state.rngState)
            for i in 0..<order.count { order[i] = i }
            RandomDraws.shuffle(&order, &rng)

            let trainLoss = trainingPass(bp, order: order, scratch: scratch, adam: &adam)
            let (validationLoss, validationMAPE) = Self.evaluate(bp, parameters: scratch.parameters, data: validation,
                                                                 loss: config.loss)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let isBest = recordEpoch(parameters: Array(scratch.parameterBuffer), adam: adam, rngState: rng.state,
                                     trainLoss: trainLoss, validationLoss: validationLoss,
                                     validationMAPE: validationMAPE, learningRate: lr, seconds: seconds)
            let wrote = try writeCheckpointIfDue()
            try onEpoch(EpochReport(epoch: _state.epoch, epochs: config.epochs, trainLoss: trainLoss,
                                    validationLoss: validationLoss, validationMAPE: validationMAPE, learningRate: lr,
                                    seconds: seconds, isBest: isBest, bestEpoch: _state.bestEpoch,
                                    checkpointWritten: wrote))
        }
    }

    /// Why the run stops before another epoch, or nil to run one.
    @inlinable
    var pendingStopReason: StopReason? {
        if _state.stoppedOnNonFiniteLoss { return .nonFiniteLoss }
        if _state.epoch >= config.epochs { return .maxEpochs }
        if config.patience > 0 && _state.epochsSinceImprovement >= config.patience { return .earlyStopping }
        return nil
    }

    /// The result of a run stopped for `reason`.
    @inlinable
    func result(stoppedBy reason: StopReason) -> TrainingResult<T> {
        TrainingResult(architecture: _state.architecture, parameters: _state.bestParameters,
                       finalParameters: _state.parameters, history: _state.history, bestEpoch: _state.bestEpoch,
                       bestValidationLoss: _state.bestValidationLoss, epochsRun: _state.epoch, stopReason: reason)
    }

    /// One pass over the training rows in `order`: one Adam step per mini-batch on
    /// `scratch.parameters`. Returns the mean training loss.
    @inlinable
    func trainingPass<W: TrainingWorkspace>(_ bp: W, order: [Int], scratch: TrainingScratch<T>,
                                            adam: inout Adam<T>) -> Double where W.Scalar == T {
        let rows = training.rows, batchSize = config.batchSize
        var lossSum = 0.0
        order.withUnsafeBufferPointer { ob in
            training.withRows { data in
                var first = 0
                while first < rows {
                    let n = Swift.min(batchSize, rows &- first)
                    let l = trainBatch(bp, rows: ob.baseAddress! + first, count: n, data: data, scratch: scratch,
                                       adam: &adam)
                    lossSum += l * Double(n)
                    first &+= n
                }
            }
        }
        return lossSum / Double(rows)
    }

    /// One Adam step on the `n` training rows listed at `o`; returns their mean loss.
    @inlinable
    func trainBatch<W: TrainingWorkspace>(_ bp: W, rows o: UnsafePointer<Int>, count n: Int, data: TrainingRows<T>,
                                          scratch: TrainingScratch<T>, adam: inout Adam<T>) -> Double
        where W.Scalar == T
    {
        let inW = training.inputWidth, outW = training.outputWidth
        let p = scratch.parameters, x = scratch.batchX, y = scratch.batchY
        Self.gather(rows: o, count: n, width: inW, from: data.features, into: x)
        Self.gather(rows: o, count: n, width: outW, from: data.targets, into: y)
        let out = bp.forward(parameters: p, inputs: x, rows: n)
        let l: Double
        if let weights = data.weights {
            Self.gather(rows: o, count: n, width: outW, from: weights, into: scratch.batchW)
            l = config.loss.evaluate(predictions: out, targets: y, weights: scratch.batchW, count: n &* outW,
                                     gradient: bp.outputGradient)
        } else {
            l = config.loss.evaluate(predictions: out, targets: y, count: n &* outW, gradient: bp.outputGradient)
        }
        bp.backward(parameters: p, outputGradient: bp.outputGradient, rows: n, gradient: scratch.gradient)
        adam.update(parameters: p, gradient: scratch.gradient)
        return l
    }

    /// Copies rows `o[0..<n]` of the row-major `source` (`width` values a row) into consecutive rows of `batch`.
    @inlinable
    static func gather(rows o: UnsafePointer<Int>, count n: Int, width: Int, from source: UnsafePointer<T>,
                       into batch: UnsafeMutablePointer<T>) {
        var i = 0
        while i < n {
            (batch + i &* width).update(from: source + o[i] &* width, count: width)
            i &+= 1
        }
    }

    /// Book-keeping after an epoch (everything a checkpoint holds): the new weights, Adam state,
    /// shuffling state and history, the best weights and the stopping counters. Returns whether
    /// this epoch's weights are the best so far.
    @inlinable
    func recordEpoch(parameters: [T], adam: Adam<T>, rngState: UInt64, trainLoss: Double, validationLoss: Double,
                     validationMAPE: Double, learningRate lr: Double, seconds: Double) -> Bool {
        var s = _state
        s.parameters = parameters
        s.adam = adam
        s.epoch += 1
        s.rngState = rngState
        s.history.trainLoss.append(trainLoss)
        s.history.validationLoss.append(validationLoss)
        s.history.validationMAPE.append(validationMAPE)
        s.history.learningRate.append(lr)
        s.history.seconds.append(seconds)
        var isBest = false
        if !trainLoss.isFinite || !validationLoss.isFinite {
            s.stoppedOnNonFiniteLoss = true
        } else if validationLoss < s.bestValidationLoss - config.minDelta {
            isBest = true
            s.bestParameters = parameters
            s.bestValidationLoss = validationLoss
            s.bestEpoch = s.epoch
            s.epochsSinceImprovement = 0
        } else {
            s.epochsSinceImprovement += 1
        }
        _state = s
        return isBest
    }

    /// Writes the checkpoint if this epoch is on the checkpoint interval; returns whether it did.
    @inlinable
    func writeCheckpointIfDue() throws -> Bool {
        guard config.checkpointInterval > 0, _state.epoch % config.checkpointInterval == 0, let checkpoint else {
            return false
        }
        try writeCheckpoint(to: checkpoint)
        return true
    }

    /// Mean `loss` and MAPE of the network over `data`, `bp.capacity` rows at a time.
    @inlinable
    static func evaluate<W: TrainingWorkspace>(_ bp: W, parameters: UnsafePointer<T>, data: TrainingData<T>,
                                               loss: Loss) -> (loss: Double, mape: Double) where W.Scalar == T {
        let inW = data.inputWidth, outW = data.outputWidth
        var lossSum = 0.0, mapeSum = 0.0
        data.withRows { rows in
            var first = 0
            while first < data.rows {
                let n = Swift.min(bp.capacity, data.rows &- first)
                let out = bp.forward(parameters: parameters, inputs: rows.features + first &* inW, rows: n)
                let y = rows.targets + first &* outW
                let l = rows.weights.map {
                    loss.evaluate(predictions: out, targets: y, weights: $0 + first &* outW, count: n &* outW,
                                  gradient: nil)
                } ?? loss.evaluate(predictions: out, targets: y, count: n &* outW, gradient: nil)
                lossSum += l * Double(n)
                mapeSum += loss == .mape && data.weights == nil ? l * Double(n)
                    : Loss.mape.evaluate(predictions: out, targets: y, count: n &* outW, gradient: nil) * Double(n)
                first &+= n
            }
        }
        return (lossSum / Double(data.rows), mapeSum / Double(data.rows))
    }
}

/// Raw pointers to the rows of a `TrainingData`, valid inside `TrainingData.withRows`.
@usableFromInline
struct TrainingRows<T: TrainableScalar> {
    @usableFromInline let features: UnsafePointer<T>
    @usableFromInline let targets: UnsafePointer<T>
    @usableFromInline let weights: UnsafePointer<T>?

    @inlinable
    init(features: UnsafePointer<T>, targets: UnsafePointer<T>, weights: UnsafePointer<T>?) {
        self.features = features
        self.targets = targets
        self.weights = weights
    }
}

extension TrainingData {
    /// Calls `body` with pointers to the features, targets and (if any) loss weights.
    @inlinable
    func withRows<R>(_ body: (TrainingRows<T>) throws -> R) rethrows -> R {
        try features.withUnsafeBufferPointer { fb in
            try targets.withUnsafeBufferPointer { tb in
                guard let weights else {
                    return try body(TrainingRows(features: fb.baseAddress!, targets: tb.baseAddress!, weights: nil))
                }
                return try weights.withUnsafeBufferPointer { wb in
                    try body(TrainingRows(features: fb.baseAddress!, targets: tb.baseAddress!, weights: wb.baseAddress!))
                }
            }
        }
    }
}

/// The buffers of one `Trainer.run`, allocated once: the current weights, the gradient and one
/// mini-batch's inputs, targets and loss weights (`capacity` rows).
@usableFromInline
struct TrainingScratch<T: TrainableScalar> {
    @usableFromInline let parameterBuffer: UnsafeMutableBufferPointer<T>
    @usableFromInline let gradient: UnsafeMutablePointer<T>
    @usableFromInline let batchX: UnsafeMutablePointer<T>
    @usableFromInline let batchY: UnsafeMutablePointer<T>
    @usableFromInline let batchW: UnsafeMutablePointer<T>

    @inlinable var parameters: UnsafeMutablePointer<T> { parameterBuffer.baseAddress! }

    @inlinable
    init(parameters: [T], capacity: Int, inputWidth: Int, outputWidth: Int, weighted: Bool) {
        parameterBuffer = .allocate(capacity: parameters.count)
        _ = parameterBuffer.initialize(from: parameters)
        gradient = Self.zeros(parameters.count)
        batchX = Self.zeros(capacity * inputWidth)
        batchY = Self.zeros(capacity * outputWidth)
        batchW = Self.zeros(weighted ? capacity * outputWidth : 0)
    }

    @inlinable
    static func zeros(_ count: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: count)
        p.initialize(repeating: 0, count: count)
        return p
    }

    @inlinable
    func deallocate() {
        parameterBuffer.deallocate()
        for p in [gradient, batchX, batchY, batchW] { p.deallocate() }
    }
}
