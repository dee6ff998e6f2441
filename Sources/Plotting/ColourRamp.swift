import Foundation

/// A perceptually ordered colour ramp (viridis), for families of curves and heat maps.
public struct ColourRamp: Sendable {
    /// Stops from 0 to 1, as RGB in [0, 255].
    var stops: [(Double, Double, Double)]

    public static let viridis = ColourRamp(stops: [
        (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ])

    /// RGB of the ramp at `t` ∈ [0, 1] (clamped).
    public func rgb(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let k = min(Int(u), stops.count - 2), w = u - Double(k)
        let a = stops[k], b = stops[k + 1]
        func mix(_ p: Double, _ q: Double) -> UInt8 { UInt8((p + (q - p) * w).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// "#rrggbb" at `t`.
    public func hex(_ t: Double) -> String {
        let (r, g, b) = rgb(t)
        return String(format: "#%02x%02x%02x", r, g, b)
    }
}

/// Uncompressed PNG encoding (stored deflate blocks): heat maps embedded in the SVG, no zlib needed.
enum PNGEncoder {
    /// RGB pixels, row-major from the top row, 3 bytes each.
    static func encode(width: Int, height: Int, rgb: [UInt8]) -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity((width * 3 + 1) * height)
        for row in 0..<height {
            raw.append(0)   // filter: none
            raw.append(contentsOf: rgb[(row * width * 3)..<((row + 1) * width * 3)])
        }
        var z: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            z.append(final)
            z.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)])
            z.append(contentsOf: raw[offset..<(offset + n)])
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        z.append(contentsOf: bigEndian((b << 16) | a))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]   // 8-bit RGB
        chunk("IHDR", header, into: &png)
        chunk("IDAT", z, into: &png)
        chunk("IEND", [], into: &png)
        return Data(png)
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let body = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffffffff
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffffffff
    }
}
