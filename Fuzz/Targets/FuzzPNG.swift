/// Fuzz target: the PNG mask reader (`TissueMaskImport.load` of a `.png`: `PNGImage` — chunks, CRCs,
/// IHDR, PLTE, zlib, the five filters, Adam7, every colour type and bit depth — then the threshold
/// into a `MaskCells` geometry), as `tissue dns tissue` with `dns.geometry = "mask"` reads it.
///
/// Input: byte 0 holds flags, the rest is the file. Bit 0: `cellsAreDark`. Bit 1: the harness
/// rewrites every chunk's CRC to the right value, and bit 2 also deflates each IDAT body (stored
/// raw in the input) first, so that mutations reach the header, palette, filter and pixel code
/// instead of stopping at the CRC or zlib check (seeds of that kind are made from the valid files
/// in `Fuzz/Corpus/png` by `FUZZ_EXPORT_SEEDS=DIR`). Accepted: a mask of width × height values 0/1,
/// or `TissueGeometryError` naming the file and the problem.
import CZlib
import Foundation
import Microscale

/// The chunks of a PNG (after its 8-byte signature) as (type, body); nil when the chunk layout is broken.
private func chunks(_ file: ArraySlice<UInt8>) -> [(type: [UInt8], body: [UInt8])]? {
    var pos = file.startIndex + 8
    var out: [(type: [UInt8], body: [UInt8])] = []
    while pos + 12 <= file.endIndex {
        let length = file[pos..<pos + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= file.endIndex - pos - 12 else { return nil }
        out.append((Array(file[pos + 4..<pos + 8]), Array(file[pos + 8..<pos + 8 + length])))
        pos += 12 + length
    }
    return out
}

private func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

/// A PNG from chunks: right CRCs; IDAT bodies deflated when `deflate`.
private func assemble(signature: ArraySlice<UInt8>, _ parts: [(type: [UInt8], body: [UInt8])], deflate: Bool) -> [UInt8] {
    var out = Array(signature)
    for (type, raw) in parts {
        var body = raw
        if deflate && type == Array("IDAT".utf8) {
            var size = compressBound(uLong(raw.count))
            var packed = [UInt8](repeating: 0, count: Int(size))
            let status = packed.withUnsafeMutableBufferPointer { o in raw.withUnsafeBufferPointer { compress(o.baseAddress, &size, $0.baseAddress, uLong(raw.count)) } }
            precondition(status == Z_OK, "fuzz harness: compress failed")
            body = Array(packed.prefix(Int(size)))
        }
        let typed = type + body
        let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        out += be32(UInt32(body.count)) + typed + be32(crc)
    }
    return out
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    // FUZZ_EXPORT_SEEDS=DIR: each valid seed of Fuzz/Corpus/png again with IDAT inflated (flags 6).
    guard let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] else { return 0 }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix("raw-idat-") {
        guard let data = FileManager.default.contents(atPath: dir + "/" + name), data.count > 9 else { continue }
        let file = Array(data.dropFirst())
        guard let parts = chunks(file[...]) else { continue }
        var inflated: [(type: [UInt8], body: [UInt8])] = []
        var idat: [UInt8] = []
        for p in parts where p.type == Array("IDAT".utf8) { idat += p.body }
        var size = uLongf(1 << 22)
        var raw = [UInt8](repeating: 0, count: Int(size))
        let status = raw.withUnsafeMutableBufferPointer { o in idat.withUnsafeBufferPointer { uncompress(o.baseAddress, &size, $0.baseAddress, uLong(idat.count)) } }
        guard status == Z_OK else { continue }
        var wroteIDAT = false
        for p in parts {
            if p.type == Array("IDAT".utf8) {
                if !wroteIDAT { inflated.append((p.type, Array(raw.prefix(Int(size))))); wroteIDAT = true }
            } else {
                inflated.append(p)
            }
        }
        var out = assemble(signature: file[0..<8], inflated, deflate: false)
        out.insert(data.first! & 1 | 6, at: 0)
        FileManager.default.createFile(atPath: dir + "/raw-idat-" + name, contents: Data(out))
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var file = Array(bytes.dropFirst())
    if bytes[0] & 2 != 0, file.count >= 8, let parts = chunks(file[...]) {
        file = assemble(signature: file[0..<8], parts, deflate: bytes[0] & 4 != 0)
    }
    let path = FuzzSupport.write(file, to: "mask.png")
    do {
        let m = try TissueMaskImport.load(path: path, pixelSize: 1e-7, cellsAreDark: bytes[0] & 1 == 1)
        precondition(m.columns > 0 && m.rows > 0 && m.mask.count == m.columns * m.rows)
        precondition(m.mask.allSatisfy { $0 <= 1 })
    } catch {
        FuzzSupport.checkRejection(error, file: path, allowed: [TissueGeometryError.self])
    }
    return 0
}
