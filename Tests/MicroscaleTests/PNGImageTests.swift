import Foundation
import Testing
@testable import Microscale

/// PNG decoding against fixtures written by an independent encoder (Pillow; Adam7 by the stdlib
/// encoder in scripts/make_png_fixtures.py, which prints these base-64 strings), 37 × 23 pixels.
@Suite struct PNGImageTests {
    static let fixtures: [String: String] = [
        "gray8": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXCAAAAACpR9l5AAAAUklEQVR42q3SsQ3AMAwDwQgwkOoL7z9oWo+QK6yakCjy53lhJlEtUAWqYFdyMfAVuA9+DJII8gpSTbIPGgp6DNoOmAjICfj6w2c+InqRat/j/gBXERlh2ldbuQAAAABJRU5ErkJggg==",
        "gray1": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXAQAAAACkV7sIAAAAKklEQVR4nGM4ZtiTLMEgccywJ4EhWeKYYQeLJkPQuixGw+jrW1cw0FEWAJ+qLyAeyXsjAAAAAElFTkSuQmCC",
        "rgb8": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXCAIAAAADThHyAAAAb0lEQVR4nL3WOQ7AMAhE0YmSyBX3v27KFEa2WWakX9E8QcUFYNy6HsM7AFk6z2SeyfazaUL0ZozluRLFW0jN3lZq8w6lBi8klbyElPfSWNirSDGvLp16XdLe65VWHkPyPZ7keGzs9wSSf09qpv9fPuD7GXR9PuKKAAAAAElFTkSuQmCC",
        "rgba8": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXCAYAAACMLIalAAAAe0lEQVR4nM3ROQ6AMBBDUSNAqeb+x4WKgkgZJZnNxS/cPckHgKedAFOX4EYDqKJCCRNKul2K6jHlqBGoBKVh0lEzmDTUCiYctYMJQ1kw7igPjCvKE2RGeWNMqCjMFioas4TKwkyhsjEqqgozRFWDfigGjHpfZcKG+t56ASBPGnNfTX49AAAAAElFTkSuQmCC",
        "palette": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXBAMAAAB+ApuWAAAAMFBMVEXjYEDeSiShXEqkQz3dKy7dDUmZLiidDy9fXTNgPUocYCQePzZfJDhdDSQhHksfCDabeCuqAAAA0ElEQVR4nFXQMU7DQBRF0eNPEZk0zlrYGB1rSOc2bhiJitB4KekRlleA0sZRJhTjiUT79HX/e7e5k2dcenzBPfA/avtggh7XEgkZ9riOJRIFBmO9jwfsGw4QWJKVekCeA6lZo0/kWTCwm3hybErXMOAGR7o8IwbcTnizLhLIJ2zghCUFed6xecVPKRHyTPf8ganpLKnueE5eTDRLqjvafi19SfVH+/DU1x3tw9MeZrGqG6udiSgqxmpnQvNrhS3v5xKlUGHpTMa2iwob1rnb0R9oi2KXx9GzjQAAAABJRU5ErkJggg==",
        "gray16": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXEAAAAAD51wU6AAAAwUlEQVR4nK3SLwsCQRAF8HsIM2IQDcIFQUE4RBAUDAcGxSAaBKMf6KLRaHzRaDQajX4g2xbv8M++smGHnX0z/JAkRqfRS87y26oaasW3LT41htd//78iVeMYO1hI1Wz99/i9hvZJkcppRCeNXXdIlZ5j1x1Sdfux6w6petGDhVSDoQaoE9lFA9SI0UQD1InxVQPUiGmuAerE7KYBakS+1AB1Yn7XADVisdEAdWL10AA1Yr3XAHVi+9QANWJ30AB1vgCh5zUDY3WEgwAAAABJRU5ErkJggg==",
        "gray8_adam7": "iVBORw0KGgoAAAANSUhEUgAAACUAAAAXCAAAAAHeQOnvAAABaUlEQVR42mNgsChY8YAxwwIImDJAgFnGLaluFgtYhOGNSsyUM4wmMjAAUQJRt+3QoUNOYMDCB5NncIqrmrbp3Cs2JcYyuB4TGGDu1NBYoQECLCYyUEMZpDTMXIIS8mq6ZizbcujCvTe/OMQY/fgwAMIUBGAuVQSDhQsV4YDFBKzcBFkvg5yOlUdYSlFD35xVO45defThH48UIzumFVIYgFlbBB2wSKHqAnIZ8mu7Zy7fevji/be/OcVVjR39Yxk7iTI+B2zkFAzjUexg+PifV1rT3DU4EW4PIzdRxvPyCYpKyMgrq2npGppYWNs7uXn6BoSER8clpWbmFBSXV9U1tnKwSLETBFLsDI4e/mGxKdlFlQ3tfVPnLF61ccf+Y2ev3H708sP3f6w8wlKKGvpmtozR7EQALE7FAphDBdHBxIkYQpiux+YdhsOnLt64/+ztl99MnALicqo6xlZY/MN4l4qun4bpVkz/AAAQXqOTtF8G6AAAAABJRU5ErkJggg==",
    ]
    static let (width, height) = (37, 23)
    static func bytes(_ name: String) -> [UInt8] { [UInt8](Data(base64Encoded: fixtures[name]!)!) }
    /// The generator's grey pattern (row y from the top).
    static func g8(_ x: Int, _ y: Int) -> Int { (x * 7 + y * 13) % 256 }
    static func luma(_ r: Int, _ g: Int, _ b: Int) -> Int { (299 * r + 587 * g + 114 * b + 500) / 1000 }

    static func expect(_ image: PNGImage, maxGrey: Int, _ value: (Int, Int) -> Int) {
        #expect(image.width == width && image.height == height && image.maxGrey == maxGrey)
        var wrong = 0
        for y in 0..<height { for x in 0..<width where image.grey[y * width + x] != value(x, y) { wrong += 1 } }
        #expect(wrong == 0, "\(wrong) of \(width * height) pixels differ")
    }

    @Test func greyDepths() throws {
        Self.expect(try PNGImage(bytes: Self.bytes("gray8")), maxGrey: 255, Self.g8)
        Self.expect(try PNGImage(bytes: Self.bytes("gray1")), maxGrey: 1) { x, y in (x + 2 * y) % 5 < 2 ? 1 : 0 }
        Self.expect(try PNGImage(bytes: Self.bytes("gray16")), maxGrey: 65535) { x, y in (x * 1700 + y * 900) % 65536 }
    }

    @Test func colourIsReducedToLuma() throws {
        let rgb: (Int, Int) -> Int = { x, y in Self.luma(Self.g8(x, y), (3 * x) % 256, (5 * y) % 256) }
        Self.expect(try PNGImage(bytes: Self.bytes("rgb8")), maxGrey: 255, rgb)
        Self.expect(try PNGImage(bytes: Self.bytes("rgba8")), maxGrey: 255, rgb)
        // Palette (16 colours chosen by Pillow's quantiser): luma of the stored palette entries,
        // as the generator printed them.
        let p = try PNGImage(bytes: Self.bytes("palette"))
        #expect(p.maxGrey == 255 && p.grey.reduce(0, +) == 65243 && Array(p.grey[0..<5]) == [20, 20, 20, 20, 20])
    }

    @Test func adam7InterlaceWithEveryFilterType() throws {
        Self.expect(try PNGImage(bytes: Self.bytes("gray8_adam7")), maxGrey: 255, Self.g8)
    }

    /// A 69-byte file whose IHDR claims 16384 × 16384 RGBA16 pixels with 12 bytes of zlib data (100 zero bytes)
    /// is refused before the 2.1 GB buffer for the decompressed rows is allocated (found by review while
    /// writing the `png` fuzz target): deflate cannot expand 12 bytes that far.
    @Test func hugeHeaderWithTinyImageDataIsRefusedBeforeAllocating() throws {
        let bytes = [UInt8](Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAQAAAAEAAEAYAAAD5WMzHAAAADElEQVR4nGNgoD0AAABkAAGGZDw1AAAAAElFTkSuQmCC")!)
        #expect(throws: PNGImage.DecodeError(reason: "12 bytes of compressed image data cannot hold a 16384 × 16384 image (2147500032 bytes)")) {
            try PNGImage(bytes: bytes)
        }
    }

    @Test func damagedFilesAreRejectedWithAReason() throws {
        let good = Self.bytes("gray8")
        #expect(throws: PNGImage.DecodeError.self) { try PNGImage(bytes: Array(good.prefix(40))) }   // truncated
        #expect(throws: PNGImage.DecodeError(reason: "not a PNG file (bad signature)")) { try PNGImage(bytes: [0x50, 0x35] + good) }
        var flipped = good
        flipped[good.count - 20] ^= 0x40   // inside IDAT: the CRC catches it
        do {
            _ = try PNGImage(bytes: flipped)
            Issue.record("a corrupted IDAT decoded")
        } catch let e as PNGImage.DecodeError {
            #expect(e.reason.contains("CRC"), "\(e)")
        }
    }

    /// A PNG mask and the same mask as PGM give the same cells (threshold at half the grey range,
    /// top image row = largest y), and `cells_are_dark` inverts it.
    @Test func pngMaskMatchesThePGMMask() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("png-mask-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("m.png").path, pgm = dir.appendingPathComponent("m.pgm").path
        try Data(Self.bytes("gray8")).write(to: URL(fileURLWithPath: png))
        var text = "P2\n\(Self.width) \(Self.height)\n255\n"
        for y in 0..<Self.height { text += (0..<Self.width).map { String(Self.g8($0, y)) }.joined(separator: " ") + "\n" }
        try text.write(toFile: pgm, atomically: true, encoding: .utf8)
        for dark in [false, true] {
            let a = try TissueMaskImport.load(path: png, pixelSize: 1e-6, cellsAreDark: dark)
            let b = try TissueMaskImport.load(path: pgm, pixelSize: 1e-6, cellsAreDark: dark)
            #expect(a.mask == b.mask && a.columns == Self.width && a.rows == Self.height)
            // Bottom-left pixel of the mask is the image's bottom row, x = 0: g8(0, 22) = 30 → fluid (bright = cell).
            #expect(a.mask[0] == (dark ? 1 : 0))
        }
        let bad = dir.appendingPathComponent("bad.png").path
        try Data([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).write(to: URL(fileURLWithPath: bad))
        #expect(throws: TissueGeometryError.self) { try TissueMaskImport.load(path: bad, pixelSize: 1e-6) }
    }
}
