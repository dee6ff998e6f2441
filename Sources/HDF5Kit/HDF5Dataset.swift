import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dataset: an n-dimensional array of numbers or strings, stored row-major.
public final class HDF5Dataset: HDF5AttributeHolder {
    /// Path of the file the dataset lives in.
    public let file: String
    /// Absolute object path ("/macro/c").
    public let path: String
    public let object: HDF5Object

    init(handle: HDF5FileHandle, path: String, relativeTo parent: hid_t, name: String) throws(HDF5Error) {
        self.object = try HDF5Object(handle: handle, path: path, parent: parent, name: name,
                                     expected: H5I_DATASET, kindName: "dataset")
        self.file = handle.path
        self.path = path
    }

    init(handle: HDF5FileHandle, path: String, ownedID: hid_t) {
        self.object = HDF5Object(handle: handle, path: path, ownedID: ownedID)
        self.file = handle.path
        self.path = path
    }

    /// numpy shape (`[]` for a scalar dataset); `[]` as well if the file is closed.
    public var shape: [Int] { (try? layout().shape) ?? [] }

    /// Number of elements.
    public var count: Int { (try? layout().count) ?? 0 }

    /// Stored element type; `.other("unknown")` if the file is closed.
    public var elementType: HDF5ElementType { (try? storedType()) ?? .other("unknown") }

    /// Reads all values in row-major order.
    ///
    /// Conversion is allowed only when lossless in kind (see `HDF5ElementType.canRead(from:)`):
    /// float32 or integer data read as Double is fine; float64 read as Int32 is an error.
    public func read<T: HDF5Scalar>(_ type: T.Type) throws -> [T] {
        let loc = object.loc
        let id = try object.openID()
        let stored = try storedType()
        guard T.hdf5Type.canRead(from: stored) else {
            throw loc.error("expected \(T.swiftName) data, found \(stored)")
        }
        let memType = try T.nativeType(loc)
        let count = try layout().count
        guard count > 0 else { return [] }
        try checkReadSize(count: count, elementSize: MemoryLayout<T>.stride, storedBytes: H5Dget_storage_size(id), loc)
        var status: herr_t = 0
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = H5Dread(id, memType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buffer.baseAddress)
            initialized = status < 0 ? 0 : count
        }
        try loc.check(status, "cannot read dataset")
        return values
    }

    /// Reads a string dataset (variable or fixed length).
    public func readStrings() throws -> [String] {
        let loc = object.loc
        let id = try object.openID()
        let fileType = try loc.check(H5Dget_type(id), "cannot read dataset type")
        defer { H5Tclose(fileType) }
        let stored = HDF5ElementType(datatype: fileType)
        guard stored == .string else { throw loc.error("expected string data, found \(stored)") }
        let count = try layout().count
        try checkReadSize(count: count, elementSize: max(H5Tget_size(fileType), MemoryLayout<UnsafeRawPointer>.size),
                          storedBytes: H5Dget_storage_size(id), loc)
        if H5Tis_variable_str(fileType) > 0 { try checkVariableLengths(id, count: count) }
        return try readStringElements(fileType: fileType, count: count, loc) {
            H5Dread(id, $0, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $1)
        }
    }

    /// Refuses a contiguous variable-length string dataset whose stored elements do not point at
    /// strings in the file's global heap.
    ///
    /// On disk each element is (length: UInt32, global heap collection address: UInt64, object
    /// index: UInt32), little-endian, in raw data that carries no checksum. HDF5 1.10 trusts all
    /// three (fuzz target `model`): it allocates `length` bytes before it looks at the heap (one
    /// damaged length asked for 3.4 GB in a 10 kB file), and `H5HG_read` indexes the collection's
    /// object table with the unchecked index (its bounds check is a debug-build assertion): a
    /// damaged index read past the table (SEGV). So every element with a heap address must name a
    /// collection of the file, one of its used objects, and no more bytes than that object holds
    /// (HDF5 skips the heap for address 0; no string is then longer than the file). Other layouts
    /// (compact: inside the checksummed object header; chunked: our writers never chunk strings)
    /// are left to HDF5.
    private func checkVariableLengths(_ id: hid_t, count: Int) throws(HDF5Error) {
        let elementSize = 16, bytes = count * elementSize
        let offset = H5Dget_offset(id)  // HADDR_UNDEF unless contiguous and allocated
        guard offset != haddr_t.max, H5Dget_storage_size(id) == UInt64(bytes) else { return }
        // A file being written may hold the raw data in HDF5's buffers only.
        var intent: UInt32 = 0
        let fileID = object.handle.id
        if H5Fget_intent(fileID, &intent) >= 0, intent & chdf5_acc_rdwr() != 0 { H5Fflush(fileID, H5F_SCOPE_LOCAL) }
        let fd = open(object.handle.path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return }
        let fileSize = UInt64(status.st_size)
        guard UInt64(offset) + UInt64(bytes) <= fileSize else { return }
        var raw = [UInt8](repeating: 0, count: bytes)
        guard pread(fd, &raw, bytes, off_t(offset)) == bytes else { return }
        func field(_ i: Int, _ at: Int, _ width: Int) -> UInt64 {
            (0..<width).reduce(UInt64(0)) { $0 | UInt64(raw[i * elementSize + at + $1]) << UInt64(8 * $1) }
        }
        var heap: [UInt64: [UInt64: UInt64]]? = nil
        for i in 0..<count {
            let length = field(i, 0, 4), address = field(i, 4, 8), index = field(i, 12, 4)
            if length > fileSize {
                throw object.loc.error("string element \(i) claims \(length) bytes, more than the whole file (\(fileSize) bytes): the file is damaged")
            }
            guard address != 0 else { continue }
            if heap == nil { heap = GlobalHeapCheck.objects(inFileAt: object.handle.path) ?? [:] }
            guard let objects = heap?[address] else {
                throw object.loc.error("string element \(i) points at byte \(address), where the file holds no global heap collection: the file is damaged")
            }
            guard let size = objects[index] else {
                throw object.loc.error("string element \(i) names object \(index) of the global heap collection at byte \(address), which holds no such object: the file is damaged")
            }
            if length > size {
                throw object.loc.error("string element \(i) claims \(length) bytes, but its global heap object holds \(size): the file is damaged")
            }
        }
    }

    private func storedType() throws(HDF5Error) -> HDF5ElementType {
        let id = try object.openID()
        let type = try object.loc.check(H5Dget_type(id), "cannot read dataset type")
        defer { H5Tclose(type) }
        return HDF5ElementType(datatype: type)
    }

    private func layout() throws(HDF5Error) -> (count: Int, shape: [Int]) {
        let loc = object.loc
        let id = try object.openID()
        let space = try loc.check(H5Dget_space(id), "cannot read dataspace")
        defer { H5Sclose(space) }
        return try dataspaceExtent(space, loc)
    }
}
