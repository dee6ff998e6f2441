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
        guard bytes.count >= 8, Array(bytes[0..<8]) == Self.signature else { throw Self.fail("not a PNG file (bad signature)") }
        let chunks = try Self.readChunks(bytes)
        guard let hd = chunks.header else { throw Self.fail("no IHDR chunk") }
        guard chunks.ended else { throw Self.fail("no IEND chunk (truncated file)") }
        let (w, h, depth, colour) = (hd.width, hd.height, hd.depth, hd.colour)
        guard w > 0, h > 0, w <= 1 << 24, h <= 1 << 24, w * h <= 1 << 28 else { throw Self.fail("image size \(w) × \(h) is out of range") }
        let channels = try Self.channels(colour: colour, depth: depth)
        guard hd.interlace == 0 || hd.interlace == 1 else { throw Self.fail("unknown interlace method \(hd.interlace)") }
        if colour == 3 && chunks.palette.isEmpty { throw Self.fail("palette image without a PLTE chunk") }
        guard !chunks.compressed.isEmpty else { throw Self.fail("no IDAT data") }

        // Passes: the whole image, or Adam7's seven sub-images.
        let passes: [Pass] = hd.interlace == 0 ? [Pass(x0: 0, y0: 0, dx: 1, dy: 1)] :
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)].map {
                Pass(x0: $0.0, y0: $0.1, dx: $0.2, dy: $0.3)
            }
        let layout = PixelLayout(header: hd, channels: channels)
        let raw = try Self.inflate(chunks.compressed, passes: passes, layout: layout)
        var grey = [Int](repeating: 0, count: w * h)
        var offset = 0
        for p in passes {
            try Self.decodePass(p, raw: raw, offset: &offset, layout: layout, palette: chunks.palette, into: &grey)
        }
        self.width = w
        self.height = h
        self.grey = grey
        self.maxGrey = colour == 3 ? 255 : (1 << depth) - 1
    }

    private static func fail(_ reason: String) -> DecodeError { DecodeError(reason: reason) }

    /// The IHDR fields this decoder uses.
    private struct Header {
        let width: Int, height: Int, depth: Int, colour: Int, interlace: Int
    }

    /// What the chunks hold: header, palette, the concatenated IDAT data, and whether IEND was seen.
    private struct Chunks {
        var header: Header?
        var palette: [(Int, Int, Int)] = []
        var compressed: [UInt8] = []
        var ended = false
    }

    private static func be32(_ bytes: [UInt8], _ p: Int) -> Int {
        Int(bytes[p]) << 24 | Int(bytes[p + 1]) << 16 | Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
    }

    /// Walks the chunks after the signature up to IEND, checking each CRC.
    private static func readChunks(_ bytes: [UInt8]) throws -> Chunks {
        var chunks = Chunks()
        var pos = 8
        while pos + 12 <= bytes.count {
            let length = be32(bytes, pos)
            guard length <= bytes.count - pos - 12 else { throw fail("truncated chunk at byte \(pos)") }
            let type = String(decoding: bytes[(pos + 4)..<(pos + 8)], as: UTF8.self)
            let body = (pos + 8)..<(pos + 8 + length)
            let stored = UInt32(be32(bytes, pos + 8 + length))
            let crc = bytes[(pos + 4)..<(pos + 8 + length)].withContiguousStorageIfAvailable {
                UInt32(crc32(0, $0.baseAddress, UInt32($0.count)))
            } ?? 0
            guard crc == stored else { throw fail("CRC mismatch in chunk '\(type)' at byte \(pos)") }
            switch type {
            case "IHDR":
                guard length == 13 else { throw fail("IHDR has \(length) bytes, expected 13") }
                let b = body.lowerBound
                chunks.header = Header(width: be32(bytes, b), height: be32(bytes, b + 4), depth: Int(bytes[b + 8]),
                                       colour: Int(bytes[b + 9]), interlace: Int(bytes[b + 12]))
                guard Int(bytes[b + 10]) == 0, Int(bytes[b + 11]) == 0 else { throw fail("unknown compression or filter method in IHDR") }
            case "PLTE":
                guard length % 3 == 0, length > 0 else { throw fail("PLTE length \(length) is not a multiple of 3") }
                chunks.palette = stride(from: body.lowerBound, to: body.upperBound, by: 3).map {
                    (Int(bytes[$0]), Int(bytes[$0 + 1]), Int(bytes[$0 + 2]))
                }
            case "IDAT":
                chunks.compressed.append(contentsOf: bytes[body])
            case "IEND":
                chunks.ended = true
            default:
                break   // ancillary chunks (gAMA, pHYs, tEXt, …) do not change the grey levels
            }
            pos += length + 12
            if chunks.ended { break }
        }
        return chunks
    }

    /// Samples per pixel of a valid colour type and bit depth combination.
    private static func channels(colour: Int, depth: Int) throws -> Int {
        switch (colour, depth) {
        case (0, 1), (0, 2), (0, 4), (0, 8), (0, 16): return 1
        case (3, 1), (3, 2), (3, 4), (3, 8): return 1
        case (2, 8), (2, 16): return 3
        case (4, 8), (4, 16): return 2
        case (6, 8), (6, 16): return 4
        default: throw fail("colour type \(colour) with bit depth \(depth) is not a valid PNG combination")
        }
    }

    /// One (sub-)image: the whole image, or one of Adam7's passes (first pixel and spacing).
    private struct Pass {
        let x0: Int, y0: Int, dx: Int, dy: Int
        /// Width and height of the pass's sub-image in an image of `w` × `h` pixels.
        func size(_ w: Int, _ h: Int) -> (width: Int, height: Int) {
            ((w - x0 + dx - 1) / dx, (h - y0 + dy - 1) / dy)
        }
    }

    /// Image size and sample format.
    private struct PixelLayout {
        let width: Int, height: Int, depth: Int, colour: Int, channels: Int
        var bitsPerPixel: Int { channels * depth }
        init(header: Header, channels: Int) {
            (width, height, depth, colour, self.channels) = (header.width, header.height, header.depth, header.colour, channels)
        }
        /// Bytes per row of `pixels` pixels, without the filter byte.
        func stride(_ pixels: Int) -> Int { (pixels * bitsPerPixel + 7) / 8 }
    }

    /// The filtered rows of all passes (each with its filter byte): zlib-inflated, length checked.
    private static func inflate(_ compressed: [UInt8], passes: [Pass], layout: PixelLayout) throws -> [UInt8] {
        var expected = 0
        for p in passes {
            let (pw, ph) = p.size(layout.width, layout.height)
            if pw > 0 && ph > 0 { expected += ph * (1 + layout.stride(pw)) }
        }
        // Deflate expands at most 1032:1, so a stream this short cannot hold the image: refuse before
        // allocating (a 69-byte file claiming 16384 × 16384 RGBA16 pixels would otherwise cost 2 GB).
        guard expected / 1032 <= compressed.count else {
            throw fail("\(compressed.count) bytes of compressed image data cannot hold a \(layout.width) × \(layout.height) image (\(expected) bytes)")
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
        return raw
    }

    /// Unfilters the rows of pass `p` starting at `raw[offset]` (advanced past them) and writes
    /// their grey levels into the pass's pixels of `grey`.
    private static func decodePass(_ p: Pass, raw: [UInt8], offset: inout Int, layout: PixelLayout,
                                   palette: [(Int, Int, Int)], into grey: inout [Int]) throws {
        let (pw, ph) = p.size(layout.width, layout.height)
        guard pw > 0 && ph > 0 else { return }
        let stride = layout.stride(pw)
        let bpp = max(1, layout.bitsPerPixel / 8)   // filter byte distance
        var previous = [UInt8](repeating: 0, count: stride)
        var line = [UInt8](repeating: 0, count: stride)
        for row in 0..<ph {
            try unfilter(raw, at: offset, row: row, bpp: bpp, previous: previous, into: &line)
            offset += 1 + stride
            for i in 0..<pw {
                grey[(p.y0 + row * p.dy) * layout.width + p.x0 + i * p.dx] = try greyLevel(line, pixel: i, layout: layout,
                                                                                           palette: palette)
            }
            swap(&previous, &line)
        }
    }

    /// Reverses the row filter (the type in `raw[offset]`, the row after it) against the previous row.
    private static func unfilter(_ raw: [UInt8], at offset: Int, row: Int, bpp: Int, previous: [UInt8],
                                 into line: inout [UInt8]) throws {
        let filter = raw[offset]
        for k in 0..<line.count {
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
    }

    /// Grey level of pixel `i` of an unfiltered row: the sample, the palette entry's luma or the luma.
    private static func greyLevel(_ line: [UInt8], pixel i: Int, layout: PixelLayout,
                                  palette: [(Int, Int, Int)]) throws -> Int {
        let depth = layout.depth
        func sample(_ channel: Int) -> Int {
            let bit = (i * layout.channels + channel) * depth
            switch depth {
            case 16: return Int(line[bit / 8]) << 8 | Int(line[bit / 8 + 1])
            case 8: return Int(line[bit / 8])
            default: return Int(line[bit / 8] >> UInt8(8 - depth - bit % 8)) & ((1 << depth) - 1)
            }
        }
        switch layout.colour {
        case 0, 4: return sample(0)
        case 3:
            let index = sample(0)
            guard index < palette.count else { throw fail("palette index \(index) beyond the \(palette.count)-entry PLTE") }
            let (r, g, bl) = palette[index]
            return (299 * r + 587 * g + 114 * bl + 500) / 1000
        default: return (299 * sample(0) + 587 * sample(1) + 114 * sample(2) + 500) / 1000
        }
    }
}
