import CHDF5
import Foundation

/// What an object path inside a file refers to.
public enum HDF5ObjectKind: Sendable, Equatable {
    case group, dataset, other
}

/// A group: a folder of datasets and further groups.
public final class HDF5Group: HDF5AttributeHolder {
    /// Path of the file the group lives in.
    public let file: String
    /// Absolute object path ("/", "/macro").
    public let path: String
    public let object: HDF5Object

    init(handle: HDF5FileHandle, path: String, relativeTo parent: hid_t, name: String) throws(HDF5Error) {
        self.object = try HDF5Object(handle: handle, path: path, parent: parent, name: name,
                                     expected: H5I_GROUP, kindName: "group")
        self.file = handle.path
        self.path = path
    }

    private var handle: HDF5FileHandle { object.handle }

    /// `relative` normalised for C calls: no empty components, absolute paths kept
    /// absolute, "." for the group itself.
    private func cPath(_ relative: String) -> String {
        let parts = HDF5Path.components(relative)
        if parts.isEmpty { return relative.hasPrefix("/") ? "/" : "." }
        return (relative.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    private func location(_ relative: String) -> HDF5Location {
        HDF5Location(file: file, object: HDF5Path.join(path, relative))
    }

    // MARK: Groups

    /// Creates group `name`; "a/b" also creates "a" if missing.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let loc = location(name)
        let id = try object.openID()
        guard !HDF5Path.components(name).isEmpty else { throw loc.error("empty group name") }
        if contains(name) { throw loc.error("already exists") }
        let lcpl = try loc.check(H5Pcreate(chdf5_p_link_create()), "cannot create link properties")
        defer { H5Pclose(lcpl) }
        try loc.check(H5Pset_create_intermediate_group(lcpl, 1), "cannot create link properties")
        let gid = try loc.check(H5Gcreate2(id, cPath(name), lcpl, chdf5_p_default(), chdf5_p_default()),
                                "cannot create group")
        try loc.check(H5Gclose(gid), "cannot close group")
        return try group(name)
    }

    /// The group at `name`, created (with its parents) if missing.
    @discardableResult
    public func requireGroup(_ name: String) throws -> HDF5Group {
        contains(name) ? try group(name) : try createGroup(name)
    }

    /// The existing group at relative path `path`.
    public func group(_ path: String) throws -> HDF5Group {
        let loc = location(path)
        let id = try object.openID()
        guard contains(path) else { throw loc.error("group not found") }
        return try HDF5Group(handle: handle, path: loc.object, relativeTo: id, name: cPath(path))
    }

    /// Whether an object exists at relative path `path` (false, not an error, when a parent is missing).
    public func contains(_ path: String) -> Bool {
        guard let id = try? object.openID() else { return false }
        let parts = HDF5Path.components(path)
        var prefix = path.hasPrefix("/") ? "/" : ""
        for (i, part) in parts.enumerated() {
            prefix += (i == 0 ? "" : "/") + part
            if H5Lexists(id, prefix, chdf5_p_default()) <= 0 { return false }
        }
        // The link may dangle (soft or external link to nothing).
        return parts.isEmpty || H5Oexists_by_name(id, prefix, chdf5_p_default()) > 0
    }

    /// Whether `path` is a group, a dataset or something else.
    public func kind(of path: String) throws -> HDF5ObjectKind {
        let loc = location(path)
        let id = try object.openID()
        guard contains(path) else { throw loc.error("object not found") }
        let oid = try loc.check(H5Oopen(id, cPath(path), chdf5_p_default()),
                                "cannot open object")
        defer { H5Oclose(oid) }
        switch H5Iget_type(oid) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    /// The path a soft link `name` of this group points to; nil for a hard or external link, or
    /// when there is no such link. (HDF5 does not check soft links: the target may not exist, and
    /// may be an ancestor, which makes the tree a cycle.)
    public func softLinkTarget(_ name: String) -> String? {
        guard let id = try? object.openID() else { return nil }
        var info = H5L_info_t()
        guard H5Lget_info(id, cPath(name), &info, chdf5_p_default()) >= 0, info.type == H5L_TYPE_SOFT else { return nil }
        let size = min(Int(info.u.val_size), 1 << 16)
        guard size > 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: size + 1)
        guard H5Lget_val(id, cPath(name), &buffer, size, chdf5_p_default()) >= 0 else { return nil }
        buffer[size] = 0
        return String(cString: buffer)
    }

    /// The file address of the object header at `path`: the same for every hard link to one object,
    /// so a walk can tell an object it has already seen. Nil when the object cannot be opened.
    public func objectAddress(of path: String) -> UInt64? {
        guard let id = try? object.openID() else { return nil }
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, cPath(path), &info, UInt32(H5O_INFO_BASIC), chdf5_p_default()) >= 0 else { return nil }
        return UInt64(info.addr)
    }

    /// Names of the links in this group, sorted.
    ///
    /// One pass in the storage's native order (`H5Literate`, `H5_ITER_NATIVE`), sorted here. Any
    /// other order makes HDF5 1.10 copy a group's dense link storage into a table first, and when
    /// a damaged file stops that copy half-way, the library frees the table's uninitialised entries
    /// (a crash found by the `upscaled` fuzz target; `HDF5FuzzRegressionTests`).
    public func childNames() throws -> [String] {
        let names = NameList()
        let id = try object.openID()
        var index: hsize_t = 0
        let status = withExtendedLifetime(names) {
            H5Literate(id, H5_INDEX_NAME, H5_ITER_NATIVE, &index, { _, name, _, data in
                guard let name, let data else { return 0 }
                Unmanaged<NameList>.fromOpaque(data).takeUnretainedValue().list.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        try object.loc.check(status, "cannot list group")
        return names.list.sorted()
    }

    // MARK: Datasets

    /// Writes a numeric dataset with `units` and `long_name` attributes.
    ///
    /// - Parameters:
    ///   - values: the data in row-major order.
    ///   - shape: numpy shape, e.g. (ny, nx); nil means 1-D. Its product must equal `values.count`.
    ///   - units: UDUNITS string ("m", "mol m-3", "1").
    ///
    /// Datasets above 65 536 elements are chunked and compressed (shuffle + deflate level 4).
    @discardableResult
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]? = nil,
                                     units: String, longName: String) throws -> HDF5Dataset {
        let loc = location(name)
        let dims = shape ?? [values.count]
        guard dims.allSatisfy({ $0 >= 0 }) else { throw loc.error("negative extent in shape \(dims)") }
        guard dims.reduce(1, *) == values.count else {
            throw loc.error("shape \(dims) holds \(dims.reduce(1, *)) values, got \(values.count)")
        }
        let memType = try T.nativeType(loc)
        let dataset = try createDataset(name, type: memType, dims: dims, loc: loc)
        if !values.isEmpty {
            let did = try dataset.object.openID()
            let status = values.withUnsafeBytes {
                H5Dwrite(did, memType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            try loc.check(status, "cannot write dataset")
        }
        try dataset.setAttribute("units", units)
        try dataset.setAttribute("long_name", longName)
        return dataset
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings with a `long_name` attribute.
    @discardableResult
    public func writeStrings(_ name: String, _ values: [String], longName: String) throws -> HDF5Dataset {
        let loc = location(name)
        let type = try makeVariableStringType(loc)
        defer { H5Tclose(type) }
        let dataset = try createDataset(name, type: type, dims: [values.count], loc: loc)
        if !values.isEmpty {
            let did = try dataset.object.openID()
            let copies = values.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            let status = copies.withUnsafeBytes {
                H5Dwrite(did, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
            }
            try loc.check(status, "cannot write strings")
        }
        try dataset.setAttribute("long_name", longName)
        return dataset
    }

    /// The existing dataset at relative path `path`.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        let loc = location(path)
        let id = try object.openID()
        guard contains(path) else { throw loc.error("dataset not found") }
        return try HDF5Dataset(handle: handle, path: loc.object, relativeTo: id, name: cPath(path))
    }

    private func createDataset(_ name: String, type: hid_t, dims: [Int], loc: HDF5Location) throws(HDF5Error) -> HDF5Dataset {
        let id = try object.openID()
        guard !HDF5Path.components(name).isEmpty else { throw loc.error("empty dataset name") }
        if contains(name) { throw loc.error("already exists") }
        var extent = dims.map { hsize_t($0) }
        let space = try loc.check(H5Screate_simple(Int32(dims.count), &extent, nil), "cannot create dataspace")
        defer { H5Sclose(space) }
        let lcpl = try loc.check(H5Pcreate(chdf5_p_link_create()), "cannot create link properties")
        defer { H5Pclose(lcpl) }
        try loc.check(H5Pset_create_intermediate_group(lcpl, 1), "cannot create link properties")
        let dcpl = try loc.check(H5Pcreate(chdf5_p_dataset_create()), "cannot create dataset properties")
        defer { H5Pclose(dcpl) }
        let count = dims.reduce(1, *)
        if count > Self.chunkElements {
            var chunk = Self.chunkShape(dims).map { hsize_t($0) }
            try loc.check(H5Pset_chunk(dcpl, Int32(dims.count), &chunk), "cannot set chunking")
            if H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_SHUFFLE)) > 0 {
                try loc.check(H5Pset_shuffle(dcpl), "cannot set shuffle filter")
            }
            if H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)) > 0 {
                try loc.check(H5Pset_deflate(dcpl, 4), "cannot set deflate filter")
            }
        }
        let did = try loc.check(H5Dcreate2(id, cPath(name), type, space, lcpl, dcpl, chdf5_p_default()),
                                "cannot create dataset")
        return HDF5Dataset(handle: handle, path: loc.object, ownedID: did)
    }

    /// Datasets larger than this many elements are chunked.
    static let chunkElements = 65_536

    /// Chunk extents: halve the largest extent until a chunk holds at most `chunkElements`.
    static func chunkShape(_ dims: [Int]) -> [Int] {
        var chunk = dims.map { max($0, 1) }
        while chunk.reduce(1, *) > chunkElements {
            let i = chunk.indices.max { chunk[$0] < chunk[$1] }!
            chunk[i] = (chunk[i] + 1) / 2
        }
        return chunk
    }
}
