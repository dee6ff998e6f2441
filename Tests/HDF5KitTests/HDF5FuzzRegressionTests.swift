import CHDF5
import Foundation
import Testing
@testable import HDF5Kit

/// Files found by `scripts/fuzz.sh` (HDF5 targets) that crashed or hung a reader; each must now
/// be rejected with an `HDF5Error` naming the file and the problem.
@Suite struct HDF5FuzzRegressionTests {
    /// Writes a small file with string attributes (stored in a global heap collection).
    private func fileWithStrings(_ dir: TempDirectory) throws -> String {
        let path = dir.path("strings.h5")
        let file = try HDF5File.create(path)
        try FileHeader(kind: "model", programVersion: "test", config: "[run]\nseed = 1\n", seed: 1).write(to: file)
        try file.close()
        return path
    }

    /// Byte offsets of the global heap collection and of its free-space object (index 0).
    private func freeSpaceEntry(in bytes: [UInt8]) throws -> (collection: Int, entry: Int) {
        let signature = Array("GCOL".utf8) + [1]
        let collection = try #require((0..<(bytes.count - 16)).first { Array(bytes[$0..<($0 + 5)]) == signature })
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        let end = collection + u64(collection + 8)
        var p = collection + 16
        while p + 16 <= end {
            let index = Int(bytes[p]) | Int(bytes[p + 1]) << 8
            if index == 0 { return (collection, p) }
            p += 16 + (u64(p + 8) + 7) / 8 * 8
        }
        Issue.record("no free-space object in the collection")
        return (collection, -1)
    }

    /// Fuzz target `model`, timeout: a flipped byte set the free-space object of the global heap
    /// to size 0, and HDF5 1.10 then loops forever in `H5HG__cache_heap_deserialize` when the
    /// first string attribute is read. Now `HDF5File.open` refuses the file.
    @Test func emptyFreeSpaceEntryInGlobalHeapIsRejectedNotLoopedOn() throws {
        let dir = try TempDirectory()
        let path = try fileWithStrings(dir)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (_, entry) = try freeSpaceEntry(in: bytes)
        for k in 8..<16 { bytes[entry + k] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(hdf5Error { _ = try HDF5File.open(path) })
        #expect(error.file == path)
        #expect(error.message.contains("global heap collection"), "\(error)")
    }

    /// Fuzz targets `training-set` and `upscaled`, ASan report in libhdf5: a damaged object size
    /// in the global heap made `H5HG_read` memcpy far past its buffer when the `format`
    /// attribute was read. Now refused at open.
    @Test func globalHeapObjectPastItsCollectionIsRejected() throws {
        let dir = try TempDirectory()
        let path = try fileWithStrings(dir)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (collection, _) = try freeSpaceEntry(in: bytes)
        let first = collection + 16  // the first object (index 1)
        #expect(Int(bytes[first]) | Int(bytes[first + 1]) << 8 > 0)
        bytes[first + 14] = 0x10  // size ≈ 2^52
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(hdf5Error { _ = try HDF5File.open(path) })
        #expect(error.message.contains("past the end of the collection"), "\(error)")
    }

    /// Fuzz target `upscaled`, SEGV in libhdf5 (`H5HG__protect` ← `H5Aread`): the free-space object
    /// of a collection claimed ≈ 2^64 − 16.7 MB; HDF5 steps its pointer by that size, which wraps
    /// it to before the collection, and decodes objects there. Now refused at open.
    @Test func freeSpaceObjectPastItsCollectionIsRejected() throws {
        let dir = try TempDirectory()
        let damaged = try regressionFile("upscaled-free-space-size-wrap", dir)
        let error = try #require(hdf5Error { _ = try HDF5File.open(damaged) })
        #expect(error.message.contains("the free-space object"), "\(error)")

        let path = try fileWithStrings(dir)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (_, entry) = try freeSpaceEntry(in: bytes)
        bytes[entry + 9] &+= 1  // 256 bytes more than the collection holds
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let handMade = try #require(hdf5Error { _ = try HDF5File.open(path) })
        #expect(handMade.message.contains("the free-space object"), "\(handMade)")
    }

    /// A collection that claims to extend past the end of the file is refused too.
    @Test func globalHeapPastTheEndOfTheFileIsRejected() throws {
        let dir = try TempDirectory()
        let path = try fileWithStrings(dir)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (collection, _) = try freeSpaceEntry(in: bytes)
        bytes[collection + 14] = 0x7F
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(hdf5Error { _ = try HDF5File.open(path) })
        #expect(error.message.contains("past the end of the file"), "\(error)")
    }

    /// Writes a float64 dataset `/samples/x` with extents `dims` that is chunked and never
    /// written (no storage): a valid file, made by h5py with `create_dataset(shape=…, chunks=True)`.
    private func fileWithUnwrittenDataset(_ dir: TempDirectory, dims: [UInt64]) throws -> String {
        let path = dir.path("huge.h5")
        let file = try HDF5File.create(path)
        try file.root.createGroup("samples")
        try file.close()
        let id = H5Fopen(path, chdf5_acc_rdwr(), chdf5_p_default())
        defer { H5Fclose(id) }
        var extents = dims.map { hsize_t($0) }
        var chunk = dims.map { _ in hsize_t(1) }
        let space = H5Screate_simple(Int32(extents.count), &extents, nil)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(chdf5_p_dataset_create())
        defer { H5Pclose(dcpl) }
        #expect(H5Pset_chunk(dcpl, Int32(chunk.count), &chunk) >= 0)
        let dataset = H5Dcreate2(id, "/samples/x", chdf5_native_double(), space, chdf5_p_default(), dcpl, chdf5_p_default())
        #expect(dataset >= 0)
        H5Dclose(dataset)
        return path
    }

    /// Fuzz target `training-set`, trap: extents whose product overflows `Int` trapped in
    /// `dataspaceExtent` (reached from `dataset.shape`). Now the shape is unknown (`[]`), and
    /// reading says the dataspace is too large.
    @Test func dataspaceWhoseSizeOverflowsIsAnError() throws {
        let dir = try TempDirectory()
        let path = try fileWithUnwrittenDataset(dir, dims: [1 << 32, 1 << 32, 1 << 32])
        let file = try HDF5File.open(path)
        let dataset = try file.root.dataset("samples/x")
        #expect(dataset.shape == [])
        let error = try #require(hdf5Error { _ = try dataset.read(Double.self) })
        #expect(error.object == "/samples/x")
        #expect(error.message.contains("more than"), "\(error)")
    }

    /// A huge dataspace without stored data (2^40 float64 = 8 TiB; 2^24 = 128 MiB of fill) is refused instead of
    /// allocated.
    @Test func hugeUnwrittenDatasetIsRefusedNotAllocated() throws {
        let dir = try TempDirectory()
        for dims: [UInt64] in [[1 << 40], [1 << 24]] {
            let path = try fileWithUnwrittenDataset(dir, dims: dims)
            let file = try HDF5File.open(path)
            let dataset = try file.root.dataset("samples/x")
            let error = try #require(hdf5Error { _ = try dataset.read(Double.self) })
            #expect(error.message.contains("do not fit in memory") || error.message.contains("never written"), "\(error)")
            try file.close()
        }
    }

    /// A small unwritten dataset still reads (as its fill value): only absurd sizes are refused.
    @Test func smallUnwrittenDatasetReadsAsFillValue() throws {
        let dir = try TempDirectory()
        let path = try fileWithUnwrittenDataset(dir, dims: [4, 3])
        let file = try HDF5File.open(path)
        #expect(try file.root.dataset("samples/x").read(Double.self) == Array(repeating: 0, count: 12))
        try file.close()
    }

    /// The check passes every valid file (strings of all sizes, several collections).
    @Test func validFilesPassTheGlobalHeapCheck() throws {
        let dir = try TempDirectory()
        let path = dir.path("many.h5")
        let file = try HDF5File.create(path)
        for k in 0..<40 {
            try file.root.setAttribute("s\(k)", String(repeating: "x", count: k * 97))
        }
        try file.root.writeStrings("names", (0..<300).map { String(repeating: "y", count: $0 % 50) }, longName: "n")
        try file.close()
        #expect(GlobalHeapCheck.problem(inFileAt: path) == nil)
        let reopened = try HDF5File.open(path)
        #expect(try reopened.root.stringAttribute("s39").count == 39 * 97)
        try reopened.close()
    }

    // MARK: Raw inputs kept in Fuzz/Regressions (byte 0 = 0: the rest is the file as the reader saw it)

    /// Writes `Fuzz/Regressions/NAME` (without its mode byte) to a temporary file.
    private func regressionFile(_ name: String, _ dir: TempDirectory) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let input = try Data(contentsOf: root.appendingPathComponent("Fuzz/Regressions/\(name)"))
        #expect(input.first == 0, "a raw-mode input")
        let path = dir.path(name + ".h5")
        try input.dropFirst().write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads every group, attribute and dataset below `group`, as `tissue inspect` and our readers do.
    private func readEverything(_ group: HDF5Group) throws {
        for name in try group.attributeNames() { _ = try? group.stringAttribute(name) }
        for name in try group.childNames() {
            switch try group.kind(of: name) {
            case .group: try readEverything(try group.group(name))
            case .dataset:
                let d = try group.dataset(name)
                if d.elementType == .string { _ = try d.readStrings() } else { _ = try d.read(Double.self) }
            default: break
            }
        }
    }

    /// Fuzz target `upscaled`, SEGV in libhdf5: a damaged link in a group's dense (fractal heap)
    /// storage stopped `H5Lget_name_by_idx`'s copy of the links into a table half-way, and HDF5
    /// 1.10 then freed the table's uninitialised entries. `childNames` now iterates in native
    /// order, which reads the name index directly: an error, not a crash.
    @Test func damagedDenseLinkStorageIsAnErrorNotACrash() throws {
        let dir = try TempDirectory()
        let path = try regressionFile("upscaled-dense-link-table", dir)
        do {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            _ = try HDF5Inspector.describe(file)
            try readEverything(file.root)
        } catch let error as HDF5Error {
            #expect("\(error)".contains(path), "\(error)")
        }
    }

    /// Fuzz target `upscaled`, hang: the structured edit replaced `/macro/dcdx` by a soft link to
    /// `/`, and `HDF5Inspector.describe` followed it: every soft link to an ancestor doubled the
    /// walk (the depth limit of 64 does not bound the branching). Soft links are now shown with
    /// their target, and a group reached again through another hard link is named, not re-listed.
    @Test func softAndHardLinkCyclesAreListedOnceNotFollowed() throws {
        let dir = try TempDirectory()
        let path = dir.path("cycle.h5")
        let file = try HDF5File.create(path)
        let macro = try file.root.createGroup("macro")
        try macro.write("x", [0.0, 1.0], units: "m", longName: "x")
        let fileID = file.handle.id
        for k in 0..<8 {  // 8 soft links to the root and 8 to /macro: 2^16 paths if followed, at every level
            #expect(H5Lcreate_soft("/", fileID, "/macro/up\(k)", chdf5_p_default(), chdf5_p_default()) >= 0)
            #expect(H5Lcreate_soft("/macro", fileID, "/macro/self\(k)", chdf5_p_default(), chdf5_p_default()) >= 0)
        }
        #expect(H5Lcreate_soft("/nowhere", fileID, "/macro/dangling", chdf5_p_default(), chdf5_p_default()) >= 0)
        #expect(H5Lcreate_hard(fileID, "/", fileID, "/macro/root", chdf5_p_default(), chdf5_p_default()) >= 0)
        try file.close()

        let reopened = try HDF5File.open(path)
        defer { try? reopened.close() }
        let text = try HDF5Inspector.describe(reopened)
        let lines = text.split(separator: "\n")
        #expect(lines.count < 40, "\(text)")
        #expect(lines.contains { $0.hasSuffix("up0 -> /") }, "\(text)")
        #expect(lines.contains { $0.hasSuffix("self7 -> /macro") }, "\(text)")
        #expect(lines.contains { $0.hasSuffix("dangling -> /nowhere  (dangling link)") }, "\(text)")
        #expect(lines.contains { $0.hasSuffix("root/  (hard link to a group listed above)") }, "\(text)")
        #expect(lines.contains { $0.contains("x  float64 (2) = [") }, "\(text)")   // small datasets show their values
        #expect(reopened.root.softLinkTarget("macro") == nil)
        #expect(try reopened.root.group("macro").softLinkTarget("up3") == "/")
    }

    /// Fuzz target `model`, 3.4 GB allocation (out of memory): a damaged length of a
    /// variable-length string element, in raw data that carries no checksum, which HDF5
    /// allocates before reading the heap. Now refused: no string is longer than its file.
    @Test func damagedVariableLengthStringLengthIsRefused() throws {
        let dir = try TempDirectory()
        let path = try regressionFile("model-vlen-string-length", dir)
        let error = #expect(throws: HDF5Error.self) {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            try readEverything(file.root)
        }
        #expect(error.map { "\($0)".contains("more than the whole file") } == true, "\(String(describing: error))")
    }

    /// Fuzz target `model`, SEGV in libhdf5 `H5HG_read`: a damaged global heap ID in the raw data
    /// of a string dataset (no checksum there); HDF5 indexes the collection's object table with it
    /// unchecked. Now every heap ID is checked against the collections first.
    @Test func damagedHeapIDOfAStringElementIsRefused() throws {
        let dir = try TempDirectory()
        let path = try regressionFile("model-vlen-heap-id", dir)
        let error = #expect(throws: HDF5Error.self) {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            try readEverything(file.root)
        }
        #expect(error.map { "\($0)".contains("global heap") } == true, "\(String(describing: error))")
    }

    /// The same check on hand-made damage: each field of a stored heap ID, and a valid file passes.
    @Test func eachFieldOfAStoredHeapIDIsChecked() throws {
        let dir = try TempDirectory()
        let path = dir.path("names.h5")
        let file = try HDF5File.create(path)
        let names = ["relu", "tanh", "linear"]
        let d = try file.root.writeStrings("names", names, longName: "n")
        let offset = Int(H5Dget_offset(try d.object.openID()))
        try file.close()
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(offset > 0 && offset + 48 <= original.count)
        func readBack(_ edit: (inout [UInt8]) -> Void) throws -> [String] {
            var bytes = original
            edit(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let f = try HDF5File.open(path)
            defer { try? f.close() }
            return try f.root.dataset("names").readStrings()
        }
        #expect(try readBack { _ in } == names)
        let cases: [(field: Int, value: UInt8, message: String)] = [
            (12, 0xE7, "holds no such object"),            // object index 1 → 231
            (4, 0x11, "holds no global heap collection"),  // collection address + 17
            (0, 0x40, "its global heap object holds"),     // length 4 → 64
        ]
        for c in cases {
            let error = #expect(throws: HDF5Error.self) { _ = try readBack { $0[offset + c.field] = c.field == 4 ? $0[offset + 4] &+ c.value : c.value } }
            #expect(error.map { "\($0)".contains(c.message) } == true, "\(String(describing: error))")
        }
    }

    /// Fuzz target `model`, trap in our own check: a global heap object size near 2^64 overflowed
    /// the aligned size in `GlobalHeapCheck`. Now saturating: the file is refused as corrupt.
    @Test func globalHeapObjectSizeNear2To64IsRefusedNotTrapped() throws {
        let dir = try TempDirectory()
        let path = try regressionFile("model-global-heap-size-overflow", dir)
        #expect(GlobalHeapCheck.problem(inFileAt: path) != nil)
        #expect(throws: HDF5Error.self) { try HDF5File.open(path) }
    }

    /// Strings read back while the file is still open for writing (the raw-length check flushes first).
    @Test func stringsReadBackInAWritableFile() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("w.h5"))
        let names = (0..<50).map { String(repeating: "z", count: $0) }
        try file.root.writeStrings("names", names, longName: "n")
        #expect(try file.root.dataset("names").readStrings() == names)
        try file.close()
    }
}
