import Foundation
import HDF5Kit
import NeuralNet

/// A trained surrogate: an `EncoderDecoder<Float>` plus the generation parameters of the data it
/// learned and its training record, as an HDF5 file of kind `surrogate-model`:
///
/// - `/model` attributes: `architecture` = "encoder-decoder", `size`, `channels`, `pool_factors`,
///   `convolutions_per_block`, `kernel`, `leaky_slope`, `activation` = "leaky_relu", `output` = "linear"
/// - `/model/layers/K/W` (Cout, Cin, k, k) and `/model/layers/K/b` (Cout), K = 0, 1, … in execution order
/// - `/model/generation` attributes: the `DiffusionDecayParameters` of the training data
/// - `/model/training` attributes (loss, seed, epochs, best epoch, stop reason, sample counts,
///   data fingerprint, wall seconds) and datasets `train_loss`, `validation_loss`, `seconds` per epoch
/// - `/model/validation` attributes: `SurrogateMetrics` on the validation samples
public struct SurrogateModel: Sendable {
    public static let kind = "surrogate-model"

    public var network: EncoderDecoder<Float>
    public var parameters: DiffusionDecayParameters
    /// Training record: attribute name → value (numbers), stored under /model/training.
    public var training: [String: Double] = [:]
    public var trainingText: [String: String] = [:]
    public var history: TrainingHistory = TrainingHistory()
    public var validation: SurrogateMetrics?

    public init(network: EncoderDecoder<Float>, parameters: DiffusionDecayParameters) throws {
        guard network.spec.size == parameters.latticeSize else {
            throw SurrogateError("the network takes \(network.spec.size)×\(network.spec.size) images, the lattice is \(parameters.latticeSize)×\(parameters.latticeSize)")
        }
        self.network = network
        self.parameters = parameters
    }

    /// Normalised fields for `rows` source maps (rows × N², float32), `batch` at a time. One image
    /// per pass is the fastest per image on this 2-core machine (its im2col buffers stay in cache:
    /// 0.45 ms at batch 1, 0.68 ms at 8 for the shipped network; `bench/surrogate.sh`).
    public func predict(_ inputs: [Float], rows: Int, batch: Int = 1) throws -> [Float] {
        try network.predict(inputs, rows: rows, batch: batch)
    }

    // MARK: Files

    public func write(to path: String, config: String, seed: UInt64, programVersion: String) throws {
        let spec = network.spec
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: Self.kind, programVersion: programVersion, config: config, seed: seed).write(to: file)
            let m = try file.root.createGroup("model")
            try m.setAttribute("architecture", "encoder-decoder")
            try spec.writeAttributes(to: m)
            try m.setAttribute("activation", "leaky_relu")
            try m.setAttribute("output", "linear")
            let layers = try m.createGroup("layers")
            var k = 0
            for op in spec.plan.ops {
                guard case .conv(let shape, let w, let b, _) = op else { continue }
                let g = try layers.createGroup(String(k))
                try g.write("W", Array(network.parameters[w..<(w + shape.weightCount)]),
                            shape: [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel], units: "1",
                            longName: "kernel of convolution \(k) (out, in, ky, kx)")
                try g.write("b", Array(network.parameters[b..<(b + shape.outputChannels)]), units: "1",
                            longName: "bias of convolution \(k)")
                k += 1
            }
            let gen = try m.createGroup("generation")
            try parameters.write(to: gen)
            let t = try m.createGroup("training")
            for (key, value) in training.sorted(by: { $0.key < $1.key }) { try t.setAttribute(key, value) }
            for (key, value) in trainingText.sorted(by: { $0.key < $1.key }) { try t.setAttribute(key, value) }
            try t.write("train_loss", history.trainLoss, units: "1", longName: "mean training loss per epoch")
            try t.write("validation_loss", history.validationLoss, units: "1", longName: "validation loss per epoch")
            try t.write("learning_rate", history.learningRate, units: "1", longName: "learning rate per epoch")
            try t.write("seconds", history.seconds, units: "s", longName: "wall-clock time per epoch")
            if let validation {
                let v = try m.createGroup("validation")
                try v.setAttribute("samples", validation.samples)
                for (name, value) in validation.namedValues { try v.setAttribute(name, value) }
            }
        }
    }

    public static func read(path: String) throws -> SurrogateModel {
        let (file, _) = try SurrogateDataset.open(path, kind: kind, madeBy: "tissue surrogate train")
        defer { try? file.close() }
        guard file.root.contains("model") else { throw SurrogateError("\(path): /model is missing") }
        let m = try file.root.group("model")
        let spec: EncoderDecoderSpec
        do { spec = try EncoderDecoderSpec(attributesOf: m) } catch let error as NeuralNetError { throw SurrogateError("\(path): \(error)") }
        var flat: [Float] = []
        flat.reserveCapacity(spec.parameterCount)
        var k = 0
        for op in spec.plan.ops {
            guard case .conv(let shape, _, _, _) = op else { continue }
            for (name, shapeExpected) in [("W", [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel]),
                                          ("b", [shape.outputChannels])] {
                let p = "layers/\(k)/\(name)"
                guard m.contains(p) else { throw SurrogateError("\(path): /model/\(p) is missing") }
                let d = try m.dataset(p)
                guard d.shape == shapeExpected else {
                    throw SurrogateError("\(path): /model/\(p) has shape \(d.shape), expected \(shapeExpected)")
                }
                flat += try d.read(Float.self)
            }
            k += 1
        }
        var model = try SurrogateModel(network: try EncoderDecoder(spec: spec, parameters: flat),
                                       parameters: try DiffusionDecayParameters(from: try m.group("generation")))
        if m.contains("training") {
            let t = try m.group("training")
            for name in try t.attributeNames() {
                if let v = try? t.doubleAttribute(name) { model.training[name] = v }
                else if let s = try? t.stringAttribute(name) { model.trainingText[name] = s }
            }
        }
        return model
    }
}

/// Predicted fields as an HDF5 file of kind `surrogate-prediction` (+ an XDMF sidecar for ParaView):
/// - `/fields/alpha` (n, N, N) float32, units "1": the source maps
/// - `/fields/c_predicted` (n, N, N) float32, units "1": the surrogate's c / max c
/// - `/fields/c_target` (n, N, N) float32, units "1": the direct solve's c / max c, when known
/// - `/fields/sample_index` (n) int64
public enum SurrogatePrediction {
    public static let kind = "surrogate-prediction"

    public static func write(to path: String, size: Int, inputs: [Float], predictions: [Float], targets: [Float]?,
                             sampleIndex: [Int], config: String, seed: UInt64, programVersion: String) throws {
        let n = sampleIndex.count
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: kind, programVersion: programVersion, config: config, seed: seed).write(to: file)
            let g = try file.root.createGroup("fields")
            try g.write("alpha", inputs, shape: [n, size, size], units: "1", longName: "normalised source map (sample, y, x)")
            try g.write("c_predicted", predictions, shape: [n, size, size], units: "1", longName: "surrogate prediction of c / max c")
            if let targets {
                try g.write("c_target", targets, shape: [n, size, size], units: "1", longName: "direct solve c / max c")
            }
            try g.write("sample_index", sampleIndex.map { Int64($0) }, units: "1", longName: "sample index")
        }
        try xdmf(for: path, size: size, samples: n, hasTargets: targets != nil)
            .write(toFile: xdmfPath(path), atomically: true, encoding: .utf8)
    }

    /// FILE.xdmf beside FILE.h5.
    public static func xdmfPath(_ path: String) -> String {
        (path.hasSuffix(".h5") ? String(path.dropLast(3)) : path) + ".xdmf"
    }

    /// A temporal collection, one grid per sample: a one-cell-thick `3DCoRectMesh` (DESIGN §5) with
    /// cell attributes taken from hyperslabs of the (n, N, N) datasets.
    static func xdmf(for path: String, size: Int, samples: Int, hasTargets: Bool) -> String {
        let file = (path as NSString).lastPathComponent
        var names = ["alpha", "c_predicted"]
        if hasTargets { names.append("c_target") }
        var grids = ""
        for k in 0..<samples {
            grids += """
                    <Grid Name="sample \(k)" GridType="Uniform">
                      <Time Value="\(k)"/>
                      <Topology TopologyType="3DCoRectMesh" Dimensions="2 \(size + 1) \(size + 1)"/>
                      <Geometry GeometryType="ORIGIN_DXDYDZ">
                        <DataItem Dimensions="3" Format="XML">0 0 0</DataItem>
                        <DataItem Dimensions="3" Format="XML">1 1 1</DataItem>
                      </Geometry>

                """
            for name in names {
                grids += """
                          <Attribute Name="\(name)" AttributeType="Scalar" Center="Cell">
                            <DataItem ItemType="HyperSlab" Dimensions="1 \(size) \(size)" Type="HyperSlab">
                              <DataItem Dimensions="3 3" Format="XML">\(k) 0 0  1 1 1  1 \(size) \(size)</DataItem>
                              <DataItem Dimensions="\(samples) \(size) \(size)" NumberType="Float" Precision="4" Format="HDF">\(file):/fields/\(name)</DataItem>
                            </DataItem>
                          </Attribute>

                    """
            }
            grids += "        </Grid>\n"
        }
        return """
            <?xml version="1.0" ?>
            <Xdmf Version="3.0">
              <Domain>
                <Grid Name="surrogate" GridType="Collection" CollectionType="Temporal">
            \(grids)    </Grid>
              </Domain>
            </Xdmf>

            """
    }
}
