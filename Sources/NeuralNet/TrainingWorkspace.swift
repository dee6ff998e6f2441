/// What `Trainer` needs from a network to train it: a workspace that runs a mini-batch forward
/// (caching what backward needs) and turns ∂L/∂ŷ into ∂L/∂θ, with all parameters in one flat
/// vector. `Backpropagation` (dense networks) and `EncoderDecoderWorkspace` (convolutional
/// encoder–decoders) conform; the trainer's loop is generic over this protocol and specialised
/// for each conforming type, so both architectures share one trainer, Adam and checkpoints.
public protocol TrainingWorkspace: AnyObject {
    associatedtype Scalar: BLASScalar
    /// Maximum rows per batch.
    var capacity: Int { get }
    /// Scratch for ∂L/∂ŷ (capacity × output width).
    var outputGradient: UnsafeMutablePointer<Scalar> { get }
    /// Outputs (rows × output width) of `rows` ≤ capacity input rows, valid until the next call.
    func forward(parameters: UnsafePointer<Scalar>, inputs: UnsafePointer<Scalar>, rows: Int) -> UnsafeMutablePointer<Scalar>
    /// Writes ∂L/∂θ (flat) after `forward` on the same parameters and rows.
    func backward(parameters: UnsafePointer<Scalar>, outputGradient: UnsafePointer<Scalar>, rows: Int,
                  gradient: UnsafeMutablePointer<Scalar>)
}

extension Backpropagation: TrainingWorkspace {}
extension EncoderDecoderWorkspace: TrainingWorkspace {}

/// The architecture of a trainable network: what a checkpoint must know to rebuild it.
public enum NetworkArchitecture: Sendable, Equatable {
    /// `DenseNetwork`: layer widths and hidden activation.
    case dense(ParameterLayout, Activation)
    /// `EncoderDecoder`.
    case encoderDecoder(EncoderDecoderSpec)

    public var inputWidth: Int {
        switch self {
        case .dense(let layout, _): return layout.widths.first!
        case .encoderDecoder(let spec): return spec.pixels
        }
    }

    public var outputWidth: Int {
        switch self {
        case .dense(let layout, _): return layout.widths.last!
        case .encoderDecoder(let spec): return spec.pixels
        }
    }

    /// Sizes of the parameter tensors in flat order (Adam keeps moments per tensor).
    public var tensorSizes: [Int] {
        switch self {
        case .dense(let layout, _): return layout.tensorSizes
        case .encoderDecoder(let spec): return spec.tensorSizes
        }
    }

    public var parameterCount: Int {
        switch self {
        case .dense(let layout, _): return layout.count
        case .encoderDecoder(let spec): return spec.parameterCount
        }
    }

    public var description: String {
        switch self {
        case .dense(let layout, let activation): return "dense \(layout.widths) \(activation.rawValue)"
        case .encoderDecoder(let spec): return spec.description
        }
    }
}
