import Foundation
import HDF5Kit

/// Import of a user's segmented tissue image as a `MaskCells` geometry: an HDF5 uint8 dataset
/// (numpy shape (ny, nx), row 0 at y = 0, nonzero = cell), a PGM image (P2 or P5) or a PNG image
/// (any colour type and bit depth, colour reduced to luma: `PNGImage`). For images the top row is
/// the largest y, and a pixel brighter than half the maximum grey value is a cell unless
/// `cellsAreDark`. The pixel size (m) is the caller's.
public enum TissueMaskImport {
    public static func load(path: String, dataset: String = "mask", pixelSize: Double, cellsAreDark: Bool = false) throws -> MaskCells {
        let lower = path.lowercased()
        guard FileManager.default.fileExists(atPath: path) else {
            throw TissueGeometryError.unreadableMask("'\(path)': no such file")
        }
        if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") {
            return try loadHDF5(path: path, dataset: dataset, pixelSize: pixelSize)
        }
        if lower.hasSuffix(".pgm") || lower.hasSuffix(".pnm") {
            return try loadPGM(path: path, pixelSize: pixelSize, cellsAreDark: cellsAreDark)
        }
        if lower.hasSuffix(".png") {
            return try loadPNG(path: path, pixelSize: pixelSize, cellsAreDark: cellsAreDark)
        }
        throw TissueGeometryError.unreadableMask("'\(path)': unknown mask format (expected .h5/.hdf5 with a uint8 dataset, or a .pgm or .png image)")
    }

    static func loadHDF5(path: String, dataset: String, pixelSize: Double) throws -> MaskCells {
        do {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            guard file.root.contains(dataset) else {
                throw TissueGeometryError.unreadableMask("'\(path)' has no dataset '\(dataset)'")
            }
            let d = try file.root.dataset(dataset)
            let shape = d.shape
            guard shape.count == 2 else {
                throw TissueGeometryError.unreadableMask("'\(path):/\(dataset)' has shape \(shape); expected a 2-D (ny, nx) uint8 array")
            }
            let values = try d.read(UInt8.self)
            return try MaskCells(mask: values, columns: shape[1], rows: shape[0], pixelSize: pixelSize)
        } catch let e as TissueGeometryError {
            throw e
        } catch {
            throw TissueGeometryError.unreadableMask("'\(path)': \(error)")
        }
    }

    static func loadPGM(path: String, pixelSize: Double, cellsAreDark: Bool) throws -> MaskCells {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TissueGeometryError.unreadableMask("'\(path)' cannot be read")
        }
        let bytes = [UInt8](data)
        var pos = 0
        func token() -> String? {
            while pos < bytes.count {
                if bytes[pos] == UInt8(ascii: "#") {
                    while pos < bytes.count && bytes[pos] != 10 { pos += 1 }
                } else if bytes[pos] == 32 || bytes[pos] == 9 || bytes[pos] == 10 || bytes[pos] == 13 {
                    pos += 1
                } else { break }
            }
            let start = pos
            while pos < bytes.count, !(bytes[pos] == 32 || bytes[pos] == 9 || bytes[pos] == 10 || bytes[pos] == 13) { pos += 1 }
            return start < pos ? String(decoding: bytes[start..<pos], as: UTF8.self) : nil
        }
        let bad = TissueGeometryError.unreadableMask("'\(path)' is not a readable PGM image (expected a P2 or P5 header: magic, width, height, maxval)")
        guard let magic = token(), magic == "P2" || magic == "P5",
              let w = token().flatMap({ Int($0) }), let h = token().flatMap({ Int($0) }),
              let maxval = token().flatMap({ Int($0) }), w > 0, h > 0, maxval > 0, maxval < 65536 else { throw bad }
        var grey = [Int](repeating: 0, count: w * h)
        if magic == "P5" {
            pos += 1   // the single whitespace after maxval
            let bpp = maxval < 256 ? 1 : 2
            guard bytes.count - pos >= w * h * bpp else {
                throw TissueGeometryError.unreadableMask("'\(path)': truncated PGM data (\(bytes.count - pos) bytes for \(w) × \(h) pixels)")
            }
            for k in 0..<(w * h) {
                grey[k] = bpp == 1 ? Int(bytes[pos + k]) : Int(bytes[pos + 2 * k]) << 8 | Int(bytes[pos + 2 * k + 1])
            }
        } else {
            for k in 0..<(w * h) {
                guard let t = token(), let v = Int(t) else {
                    throw TissueGeometryError.unreadableMask("'\(path)': truncated or non-numeric P2 data at pixel \(k)")
                }
                grey[k] = v
            }
        }
        return try thresholded(grey: grey, maxGrey: maxval, width: w, height: h, pixelSize: pixelSize, cellsAreDark: cellsAreDark)
    }

    static func loadPNG(path: String, pixelSize: Double, cellsAreDark: Bool) throws -> MaskCells {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TissueGeometryError.unreadableMask("'\(path)' cannot be read")
        }
        let image: PNGImage
        do { image = try PNGImage(bytes: [UInt8](data)) } catch {
            throw TissueGeometryError.unreadableMask("'\(path)' is not a readable PNG image: \(error)")
        }
        return try thresholded(grey: image.grey, maxGrey: image.maxGrey, width: image.width, height: image.height,
                               pixelSize: pixelSize, cellsAreDark: cellsAreDark)
    }

    /// Cells where 2·grey > maxGrey (or ≤ with `cellsAreDark`); image row 0 is the top (largest
    /// y), so rows are flipped to make mask row 0 y = 0.
    static func thresholded(grey: [Int], maxGrey: Int, width w: Int, height h: Int, pixelSize: Double,
                            cellsAreDark: Bool) throws -> MaskCells {
        var mask = [UInt8](repeating: 0, count: w * h)
        for r in 0..<h {
            for c in 0..<w {
                let bright = 2 * grey[r * w + c] > maxGrey
                mask[(h - 1 - r) * w + c] = (bright != cellsAreDark) ? 1 : 0
            }
        }
        return try MaskCells(mask: mask, columns: w, rows: h, pixelSize: pixelSize)
    }
}
