import CZlib

/// A decoded PNG image as grey levels, for tissue masks (PNG 1.2 / ISO 15948): all colour types
/// (grey, RGB, palette, grey + alpha, RGBA) and bit depths, non-interlaced and Adam7-interlaced.
/// Colour is reduced to luma Y = (299 R + 587 G + 114 B)/1000; alpha is ignored. Row 0 is the
/// top of the image.
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Grey level per pixel, row-major from the top row, in 0...maxGrey.
    public let grey: [Int]
    /// 2^bitDepth − 1 (255 for palette images).
    public let maxGrey: Int

    /// Why a PNG could not be decoded.
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// Decodes the bytes of a PNG file. Throws `DecodeError` naming what is wrong (signature,
    /// chunk, CRC, header field, compressed data, filter type).
    public init(bytes: [UInt8]) throws {
        func fail(_ reason: String) -> DecodeError { DecodeError(reason: reason) }
        guard bytes.count >= 8, Array(bytes[0..<8]) == Self.signature else { throw fail("not a PNG file (bad signature)") }
        func be32(_ p: Int) -> Int { Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3]) }
        var pos = 8
        var header: (w: Int, h: Int, depth: Int, colour: Int, interlace: Int)?
        var palette: [(Int, Int, Int)] = []
        var compressed: [UInt8] = []
        var ended = false
        while pos + 12 <= bytes.count {
            let length = be32(pos)
            guard length <= bytes.count - pos - 12 else { throw fail("truncated chunk at byte \(pos)") }
            let type = String(decoding: bytes[(pos + 4)..<(pos + 8)], as: UTF8.self)
            let body = (pos + 8)..<(pos + 8 + length)
            let stored = UInt32(be32(pos + 8 + length))
            let crc = bytes[(pos + 4)..<(pos + 8 + length)].withContiguousStorageIfAvailable {
                UInt32(crc32(0, $0.baseAddress, UInt32($0.count)))
            } ?? 0
            guard crc == stored else { throw fail("CRC mismatch in chunk '\(type)' at byte \(pos)") }
            switch type {
            case "IHDR":
                guard length == 13 else { throw fail("IHDR has \(length) bytes, expected 13") }
                let b = body.lowerBound
                header = (be32(b), be32(b + 4), Int(bytes[b + 8]), Int(bytes[b + 9]), Int(bytes[b + 12]))
                guard Int(bytes[b + 10]) == 0, Int(bytes[b + 11]) == 0 else { throw fail("unknown compression or filter method in IHDR") }
            case "PLTE":
                guard length % 3 == 0, length > 0 else { throw fail("PLTE length \(length) is not a multiple of 3") }
                palette = stride(from: body.lowerBound, to: body.upperBound, by: 3).map {
                    (Int(bytes[$0]), Int(bytes[$0 + 1]), Int(bytes[$0 + 2]))
                }
            case "IDAT":
                compressed.append(contentsOf: bytes[body])
            case "IEND":
                ended = true
            default:
                break   // ancillary chunks (gAMA, pHYs, tEXt, …) do not change the grey levels
            }
            pos += length + 12
            if ended { break }
        }
        guard let hd = header else { throw fail("no IHDR chunk") }
        guard ended else { throw fail("no IEND chunk (truncated file)") }
        let (w, h, depth, colour) = (hd.w, hd.h, hd.depth, hd.colour)
        guard w > 0, h > 0, w <= 1 << 24, h <= 1 << 24, w * h <= 1 << 28 else { throw fail("image size \(w) × \(h) is out of range") }
        let channels: Int
        switch (colour, depth) {
        case (0, 1), (0, 2), (0, 4), (0, 8), (0, 16): channels = 1
        case (3, 1), (3, 2), (3, 4), (3, 8): channels = 1
        case (2, 8), (2, 16): channels = 3
        case (4, 8), (4, 16): channels = 2
        case (6, 8), (6, 16): channels = 4
        default: throw fail("colour type \(colour) with bit depth \(depth) is not a valid PNG combination")
        }
        guard hd.interlace == 0 || hd.interlace == 1 else { throw fail("unknown interlace method \(hd.interlace)") }
        if colour == 3 && palette.isEmpty { throw fail("palette image without a PLTE chunk") }
        guard !compressed.isEmpty else { throw fail("no IDAT data") }

        // Passes: the whole image, or Adam7's seven sub-images.
        let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = hd.interlace == 0 ? [(0, 0, 1, 1)] :
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        let bitsPerPixel = channels * depth
        var expected = 0
        for p in passes {
            let pw = (w - p.x0 + p.dx - 1) / p.dx, ph = (h - p.y0 + p.dy - 1) / p.dy
            if pw > 0 && ph > 0 { expected += ph * (1 + (pw * bitsPerPixel + 7) / 8) }
        }
        // Deflate expands at most 1032:1, so a stream this short cannot hold the image: refuse before
        // allocating (a 69-byte file claiming 16384 × 16384 RGBA16 pixels would otherwise cost 2 GB).
        guard expected / 1032 <= compressed.count else {
            throw fail("\(compressed.count) bytes of compressed image data cannot hold a \(w) × \(h) image (\(expected) bytes)")
        }
        var raw = [UInt8](repeating: 0, count: expected)
        var rawLength = uLongf(expected)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { inp in
                uncompress(out.baseAddress, &rawLength, inp.baseAddress, uLong(inp.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == expected else {
            throw fail(status == Z_OK ? "image data has \(rawLength) bytes, expected \(expected)" : "corrupt compressed image data (zlib status \(status))")
        }

        let maxGrey = colour == 3 ? 255 : (1 << depth) - 1
        var grey = [Int](repeating: 0, count: w * h)
        let bpp = max(1, bitsPerPixel / 8)   // filter byte distance
        var offset = 0
        for p in passes {
            let pw = (w - p.x0 + p.dx - 1) / p.dx, ph = (h - p.y0 + p.dy - 1) / p.dy
            guard pw > 0 && ph > 0 else { continue }
            let stride = (pw * bitsPerPixel + 7) / 8
            var previous = [UInt8](repeating: 0, count: stride)
            var line = [UInt8](repeating: 0, count: stride)
            for row in 0..<ph {
                let filter = raw[offset]
                for k in 0..<stride {
                    let x = raw[offset + 1 + k]
                    let a = k >= bpp ? Int(line[k - bpp]) : 0, b = Int(previous[k]), c = k >= bpp ? Int(previous[k - bpp]) : 0
                    let predictor: Int
                    switch filter {
                    case 0: predictor = 0
                    case 1: predictor = a
                    case 2: predictor = b
                    case 3: predictor = (a + b) / 2
                    case 4:
                        let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
                        predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                    default: throw fail("unknown filter type \(filter) in image row \(row) (pass offset \(offset))")
                    }
                    line[k] = x &+ UInt8(truncatingIfNeeded: predictor)
                }
                offset += 1 + stride
                for i in 0..<pw {
                    func sample(_ channel: Int) -> Int {
                        let bit = (i * channels + channel) * depth
                        switch depth {
                        case 16: return Int(line[bit / 8]) << 8 | Int(line[bit / 8 + 1])
                        case 8: return Int(line[bit / 8])
                        default: return Int(line[bit / 8] >> UInt8(8 - depth - bit % 8)) & ((1 << depth) - 1)
                        }
                    }
                    let value: Int
                    switch colour {
                    case 0, 4: value = sample(0)
                    case 3:
                        let index = sample(0)
                        guard index < palette.count else { throw fail("palette index \(index) beyond the \(palette.count)-entry PLTE") }
                        let (r, g, bl) = palette[index]
                        value = (299 * r + 587 * g + 114 * bl + 500) / 1000
                    default: value = (299 * sample(0) + 587 * sample(1) + 114 * sample(2) + 500) / 1000
                    }
                    grey[(p.y0 + row * p.dy) * w + p.x0 + i * p.dx] = value
                }
                swap(&previous, &line)
            }
        }
        self.width = w
        self.height = h
        self.grey = grey
        self.maxGrey = maxGrey
    }
}
