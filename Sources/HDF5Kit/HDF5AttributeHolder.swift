import CHDF5
import Foundation

/// A group or dataset that carries attributes. All strings are stored as variable-length
/// UTF-8 (h5py reads them as `str`); integers as int64; numbers as float64.
public protocol HDF5AttributeHolder: AnyObject {
    /// The open object the attributes live on.
    var object: HDF5Object { get }
}

extension HDF5AttributeHolder {
    // MARK: Writing

    public func setAttribute(_ name: String, _ value: String) throws {
        let loc = object.loc
        let type = try makeVariableStringType(loc)
        defer { H5Tclose(type) }
        let space = try loc.check(H5Screate(H5S_SCALAR), "cannot create dataspace")
        defer { H5Sclose(space) }
        let id = try object.openID()
        try replaceAttribute(name, on: id, loc)
        let attr = try loc.check(H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
                                 "cannot create attribute '\(name)'")
        defer { H5Aclose(attr) }
        let status = value.withCString { chars in
            var pointer: UnsafePointer<CChar>? = chars
            return H5Awrite(attr, type, &pointer)
        }
        try loc.check(status, "cannot write attribute '\(name)'")
    }

    /// A 1-D array of variable-length UTF-8 strings.
    public func setAttribute(_ name: String, _ value: [String]) throws {
        let loc = object.loc
        let type = try makeVariableStringType(loc)
        defer { H5Tclose(type) }
        var dims = [hsize_t(value.count)]
        let space = value.isEmpty
            ? try loc.check(H5Screate(H5S_NULL), "cannot create dataspace")
            : try loc.check(H5Screate_simple(1, &dims, nil), "cannot create dataspace")
        defer { H5Sclose(space) }
        let id = try object.openID()
        try replaceAttribute(name, on: id, loc)
        let attr = try loc.check(H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
                                 "cannot create attribute '\(name)'")
        defer { H5Aclose(attr) }
        guard !value.isEmpty else { return }
        let copies = value.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let status = copies.withUnsafeBytes { H5Awrite(attr, type, $0.baseAddress) }
        try loc.check(status, "cannot write attribute '\(name)'")
    }

    public func setAttribute(_ name: String, _ value: Double) throws {
        try setNumberAttribute(name, [value], scalar: true)
    }

    /// Stored as int64.
    public func setAttribute(_ name: String, _ value: Int) throws {
        try setNumberAttribute(name, [Int64(value)], scalar: true)
    }

    public func setAttribute(_ name: String, _ value: [Double]) throws {
        try setNumberAttribute(name, value, scalar: false)
    }

    /// Stored as int64.
    public func setAttribute(_ name: String, _ value: [Int]) throws {
        try setNumberAttribute(name, value.map(Int64.init), scalar: false)
    }

    private func setNumberAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], scalar: Bool) throws(HDF5Error) {
        let loc = object.loc
        let type = try T.nativeType(loc)
        let space: hid_t
        if scalar {
            space = try loc.check(H5Screate(H5S_SCALAR), "cannot create dataspace")
        } else if values.isEmpty {
            space = try loc.check(H5Screate(H5S_NULL), "cannot create dataspace")
        } else {
            var dims = [hsize_t(values.count)]
            space = try loc.check(H5Screate_simple(1, &dims, nil), "cannot create dataspace")
        }
        defer { H5Sclose(space) }
        let id = try object.openID()
        try replaceAttribute(name, on: id, loc)
        let attr = try loc.check(H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
                                 "cannot create attribute '\(name)'")
        defer { H5Aclose(attr) }
        if !values.isEmpty {
            let status = values.withUnsafeBytes { H5Awrite(attr, type, $0.baseAddress) }
            try loc.check(status, "cannot write attribute '\(name)'")
        }
    }

    /// Deletes attribute `name` if present, so that it can be created anew.
    private func replaceAttribute(_ name: String, on id: hid_t, _ loc: HDF5Location) throws(HDF5Error) {
        if try loc.check(H5Aexists(id, name), "cannot look up attribute '\(name)'") > 0 {
            try loc.check(H5Adelete(id, name), "cannot replace attribute '\(name)'")
        }
    }

    // MARK: Reading

    /// A string attribute, stored with variable or fixed length (numpy bytes), scalar or one element.
    public func stringAttribute(_ name: String) throws -> String {
        try withAttribute(name) { (attr, info) throws(HDF5Error) -> String in
            guard info.type == .string else {
                throw info.loc.error("attribute '\(name)': expected a string, found \(info.type)")
            }
            guard info.count == 1 else {
                throw info.loc.error("attribute '\(name)': expected one string, found \(info.count)")
            }
            return try readStringElements(fileType: info.fileType, count: 1, info.loc) { H5Aread(attr, $0, $1) }[0]
        }
    }

    /// A string array attribute (a scalar reads as one element).
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        try withAttribute(name) { (attr, info) throws(HDF5Error) -> [String] in
            guard info.type == .string else {
                throw info.loc.error("attribute '\(name)': expected strings, found \(info.type)")
            }
            return try readStringElements(fileType: info.fileType, count: info.count, info.loc) { H5Aread(attr, $0, $1) }
        }
    }

    /// A number attribute of any integer or float type, scalar or one element.
    public func doubleAttribute(_ name: String) throws -> Double {
        let values = try numberAttribute(name, as: Double.self, accept: { $0.isNumeric }, expected: "a number")
        guard values.count == 1 else {
            throw object.loc.error("attribute '\(name)': expected one number, found \(values.count)")
        }
        return values[0]
    }

    /// An integer attribute of any integer type, scalar or one element.
    public func intAttribute(_ name: String) throws -> Int {
        let values = try intArrayAttribute(name)
        guard values.count == 1 else {
            throw object.loc.error("attribute '\(name)': expected one integer, found \(values.count)")
        }
        return values[0]
    }

    /// A number array attribute (a scalar reads as one element).
    public func doubleArrayAttribute(_ name: String) throws -> [Double] {
        try numberAttribute(name, as: Double.self, accept: { $0.isNumeric }, expected: "numbers")
    }

    /// An integer array attribute (a scalar reads as one element).
    public func intArrayAttribute(_ name: String) throws -> [Int] {
        let stored = try attributeType(name)
        if stored == .uint64 {
            let raw = try numberAttribute(name, as: UInt64.self, accept: { _ in true }, expected: "integers")
            return try raw.map { (value) throws(HDF5Error) in
                guard let int = Int(exactly: value) else {
                    throw object.loc.error("attribute '\(name)': value \(value) does not fit in Int")
                }
                return int
            }
        }
        return try numberAttribute(name, as: Int64.self, accept: { $0.isInteger }, expected: "integers").map { Int($0) }
    }

    /// Attribute names, sorted (iterated in native order for the reason given at `childNames`).
    public func attributeNames() throws -> [String] {
        let names = NameList()
        let id = try object.openID()
        let status = withExtendedLifetime(names) {
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_NATIVE, nil, { _, name, _, data in
                guard let name, let data else { return 0 }
                Unmanaged<NameList>.fromOpaque(data).takeUnretainedValue().list.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        try object.loc.check(status, "cannot list attributes")
        return names.list.sorted()
    }

    /// Whether attribute `name` exists.
    public func hasAttribute(_ name: String) -> Bool {
        guard let id = try? object.openID() else { return false }
        return H5Aexists(id, name) > 0
    }

    /// The element type of attribute `name`.
    public func attributeType(_ name: String) throws -> HDF5ElementType {
        try withAttribute(name) { _, info in info.type }
    }

    // MARK: Helpers

    func numberAttribute<T: HDF5Scalar>(_ name: String, as: T.Type, accept: (HDF5ElementType) -> Bool,
                                                expected: String) throws(HDF5Error) -> [T] {
        try withAttribute(name) { (attr, info) throws(HDF5Error) -> [T] in
            guard accept(info.type) else {
                throw info.loc.error("attribute '\(name)': expected \(expected), found \(info.type)")
            }
            guard info.count > 0 else { return [] }
            try checkReadSize(count: info.count, elementSize: MemoryLayout<T>.stride, storedBytes: nil, info.loc)
            let memType = try T.nativeType(info.loc)
            let values = [T](unsafeUninitializedCapacity: info.count) { buffer, initialized in
                initialized = H5Aread(attr, memType, buffer.baseAddress!) < 0 ? 0 : info.count
            }
            guard values.count == info.count else { throw info.loc.failure("cannot read attribute '\(name)'") }
            return values
        }
    }

    /// Opens attribute `name` and hands its identifier and stored layout to `body`.
    func withAttribute<R>(_ name: String,
                          _ body: (hid_t, AttributeInfo) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        let loc = object.loc
        let id = try object.openID()
        guard try loc.check(H5Aexists(id, name), "cannot look up attribute '\(name)'") > 0 else {
            throw loc.error("attribute '\(name)' not found")
        }
        let attr = try loc.check(H5Aopen(id, name, chdf5_p_default()), "cannot open attribute '\(name)'")
        defer { H5Aclose(attr) }
        let fileType = try loc.check(H5Aget_type(attr), "cannot read type of attribute '\(name)'")
        defer { H5Tclose(fileType) }
        let space = try loc.check(H5Aget_space(attr), "cannot read dataspace of attribute '\(name)'")
        defer { H5Sclose(space) }
        let extent = try dataspaceExtent(space, loc)
        let info = AttributeInfo(type: HDF5ElementType(datatype: fileType), fileType: fileType,
                                 count: extent.count, loc: loc)
        return try body(attr, info)
    }
}

/// Stored layout of an open attribute.
struct AttributeInfo {
    let type: HDF5ElementType
    let fileType: hid_t
    let count: Int
    let loc: HDF5Location
}

/// Collects names from an HDF5 iteration callback.
final class NameList {
    var list: [String] = []
}
