import CHDF5

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
        return try readStringElements(fileType: fileType, count: count, loc) {
            H5Dread(id, $0, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $1)
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
