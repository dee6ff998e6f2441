import Foundation

/// A pre-check of the global heap collections of a file, run before the HDF5 library opens it.
///
/// Variable-length strings (our string attributes and datasets) live in global heap collections,
/// which, unlike our files' other metadata, carry no checksum. HDF5 1.10 loops forever when a
/// collection's free-space object has size 0 (`H5HG__cache_heap_deserialize` steps by the
/// object's size), and `H5HG_read` copies an object's stored size into a buffer sized by the
/// reader, so a damaged byte there would hang any reader or overflow a buffer; both found by
/// fuzzing (see Fuzz/README.md). The check finds collections by their signature ("GCOL",
/// version 1), walks their objects exactly as HDF5 does, and rejects a file whose walk would
/// not advance, whose object runs past its collection, or whose collection runs past the end of
/// the file. Valid collections always pass.
enum GlobalHeapCheck {
    /// Returns a description of the first damaged collection, or nil.
    static func problem(inFileAt path: String) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        return data.withUnsafeBytes { problem(in: $0) }
    }

    /// Size of lengths in the file: 8 in every file our writer and h5py produce.
    private static let lengthSize = 8

    static func problem(in bytes: UnsafeRawBufferPointer) -> String? {
        walk(bytes) { _, _, _ in }
    }

    /// The objects of every collection in the file: collection address → object index → size
    /// (bytes). Nil when the file cannot be read or a collection is damaged (see `problem`).
    static func objects(inFileAt path: String) -> [UInt64: [UInt64: UInt64]]? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        var table: [UInt64: [UInt64: UInt64]] = [:]
        let problem = data.withUnsafeBytes { bytes in
            walk(bytes) { collection, index, size in table[UInt64(collection), default: [:]][UInt64(index)] = size }
        }
        return problem == nil ? table : nil
    }

    /// Walks the collections as HDF5 does, calling `visit(collection byte offset, object index,
    /// object size)` for each used object; returns the first problem found, or nil.
    private static func walk(_ bytes: UnsafeRawBufferPointer, visit: (Int, UInt16, UInt64) -> Void) -> String? {
        let signature: [UInt8] = [0x47, 0x43, 0x4F, 0x4C, 0x01]  // "GCOL", version 1
        let headerSize = 8 + lengthSize, objectHeaderSize = 8 + lengthSize
        let count = bytes.count
        var start = 0
        while start + headerSize <= count {
            guard let found = find(signature, in: bytes, from: start) else { return nil }
            start = found + 1
            guard found + headerSize <= count else { return nil }
            let collectionSize = readLength(bytes, at: found + 8)
            guard collectionSize >= UInt64(headerSize) else { continue }  // not a collection HDF5 would walk
            guard collectionSize <= UInt64(count - found) else {
                return "global heap collection at byte \(found) claims \(collectionSize) bytes, past the end of the file"
            }
            let end = found + Int(collectionSize)
            var p = found + headerSize
            while p < end {
                if p + objectHeaderSize > end { break }  // too small for an object: free space
                let index = UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8
                let size = readLength(bytes, at: p + 8)
                let need: UInt64
                if index > 0 {
                    // Saturating: a damaged size near 2^64 must not trap here (fuzz target `model`).
                    let (aligned, overflow) = size.addingReportingOverflow(7)
                    let (total, overflow2) = UInt64(objectHeaderSize).addingReportingOverflow(aligned & ~7)
                    need = overflow || overflow2 ? .max : total
                } else {
                    need = size
                }
                if need == 0 {
                    return "global heap collection at byte \(found) has an empty free-space entry at byte \(p)"
                }
                if need > UInt64(end - p) {
                    // An object: HDF5 would copy `size` bytes from here into a buffer sized by the
                    // reader. The free space (index 0), which always runs to the end: HDF5 steps
                    // its pointer by `size`, and a size near 2^64 wraps it back before the
                    // collection, where it goes on decoding (SEGV, fuzz target `upscaled`).
                    let what = index > 0 ? "object \(index)" : "the free-space object"
                    return "global heap collection at byte \(found): \(what) at byte \(p) claims \(size) bytes, past the end of the collection"
                }
                if index > 0 { visit(found, index, size) }
                if need >= UInt64(end - p) { break }
                p += Int(need)
            }
        }
        return nil
    }

    private static func readLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        (0..<lengthSize).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    private static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var i = start
        while i + pattern.count <= bytes.count {
            // memchr for the first byte (fast on large files), then compare the rest.
            guard let hit = memchr(base + i, Int32(pattern[0]), bytes.count - i) else { return nil }
            let j = base.distance(to: UnsafeRawPointer(hit))
            if j + pattern.count <= bytes.count, (1..<pattern.count).allSatisfy({ bytes[j + $0] == pattern[$0] }) { return j }
            i = j + 1
        }
        return nil
    }
}
