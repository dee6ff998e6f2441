import Foundation
/// A uniform cell-centred 1-D finite-volume grid on [0, length].
public struct UniformGrid1D: Sendable, Equatable {
    /// Domain length (m).
    public let length: Double
    /// Number of cells.
    public let cells: Int

    public init(length: Double, cells: Int) {
        self.length = length
        self.cells = cells
    }

    /// Cell width h = L/N (m).
    public var spacing: Double { length / Double(cells) }

    /// Cell centres x_i = (i + ½) h (m).
    public var centres: [Double] {
        let h = spacing
        return (0..<cells).map { (Double($0) + 0.5) * h }
    }
}

extension Double {
    /// The value with 6 significant digits, for messages ("0.0222", "1.5e-08"), not for files.
    public var messageText: String { String(format: "%.6g", self) }
}
