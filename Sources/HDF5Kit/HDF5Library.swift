import CHDF5
import Foundation

/// Library-wide setup and the checks that turn C return codes into `HDF5Error`s.
enum HDF5Library {
    /// Silences HDF5's automatic error printing on the calling thread.
    ///
    /// The thread-safe HDF5 build keeps one error stack per thread, so a single
    /// `H5Eset_auto2` at start-up would only silence that thread; every entry point
    /// calls this instead (it costs a lock and two stores).
    static func quiet() {
        H5Eset_auto2(chdf5_e_default(), nil, nil)
    }

    /// The innermost message of the current thread's HDF5 error stack, if any
    /// (e.g. "truncated file: eof = 1024, ...").
    static func stackDetail() -> String? {
        final class Box { var messages: [String] = [] }
        let box = Box()
        let status = withExtendedLifetime(box) {
            H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, err, data in
                guard let err, let data, let desc = err.pointee.desc else { return 0 }
                let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
                let text = String(cString: desc)
                if !text.isEmpty { box.messages.append(text) }
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard status >= 0 else { return nil }
        return box.messages.last
    }
}

/// Where an operation happens: builds errors that name the file and object.
struct HDF5Location {
    let file: String
    let object: String

    func error(_ message: String) -> HDF5Error {
        HDF5Error(file: file, object: object, message: message)
    }

    /// An error for a failed C call, with HDF5's own innermost message appended.
    func failure(_ what: String) -> HDF5Error {
        if let detail = HDF5Library.stackDetail(), !detail.isEmpty {
            return error("\(what) (\(detail))")
        }
        return error(what)
    }

    /// Throws when a C call returned a negative value (an `hid_t`, `herr_t` or `htri_t`).
    @discardableResult
    func check<I: BinaryInteger>(_ result: I, _ what: @autoclosure () -> String) throws(HDF5Error) -> I {
        if result < 0 { throw failure(what()) }
        return result
    }
}

// MARK: - Object paths

enum HDF5Path {
    /// Non-empty components of a slash-separated path.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// The absolute object path of `relative` seen from the group at `base`.
    static func join(_ base: String, _ relative: String) -> String {
        let parts = (relative.hasPrefix("/") ? [] : components(base)) + components(relative)
        return "/" + parts.joined(separator: "/")
    }
}

// MARK: - Small C helpers

/// The datatype of a variable-length UTF-8 string (caller closes it).
func makeVariableStringType(_ loc: HDF5Location) throws(HDF5Error) -> hid_t {
    let type = try loc.check(H5Tcopy(chdf5_c_s1()), "cannot create string type")
    do {
        try loc.check(H5Tset_size(type, chdf5_t_variable()), "cannot create string type")
        try loc.check(H5Tset_cset(type, H5T_CSET_UTF8), "cannot create string type")
    } catch {
        H5Tclose(type)
        throw error
    }
    return type
}

/// Number of elements in a dataspace, and its shape (`[]` for a scalar).
func dataspaceExtent(_ space: hid_t, _ loc: HDF5Location) throws(HDF5Error) -> (count: Int, shape: [Int]) {
    let kind = H5Sget_simple_extent_type(space)
    if kind == H5S_NULL { return (0, [0]) }
    if kind == H5S_SCALAR { return (1, []) }
    let rank = Int(try loc.check(H5Sget_simple_extent_ndims(space), "cannot read dataspace"))
    var dims = [hsize_t](repeating: 0, count: rank)
    if rank > 0 {
        try loc.check(H5Sget_simple_extent_dims(space, &dims, nil), "cannot read dataspace")
    }
    // Extents and their product are checked: a dataspace may be huge (an unwritten chunked
    // dataset) or damaged, and must give an error rather than a trap (found by fuzzing).
    var count = 1
    for d in dims {
        guard let extent = Int(exactly: d) else { throw loc.error("dataspace extent \(d) is too large") }
        let (product, overflow) = count.multipliedReportingOverflow(by: extent)
        if overflow { throw loc.error("dataspace \(dims) holds more than \(Int.max) elements") }
        count = product
    }
    return (count, dims.map { Int($0) })
}

/// Throws unless `count` elements of `elementSize` bytes can be read into memory: the size must
/// fit in this machine's memory and, for a dataset, be backed by stored data (compression
/// shrinks data at most ~1000-fold; 4096 leaves room). A huge dataspace without data (never
/// written, or a damaged file) would otherwise make us allocate terabytes.
func checkReadSize(count: Int, elementSize: Int, storedBytes: UInt64?, _ loc: HDF5Location) throws(HDF5Error) {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
    guard !overflow, UInt64(bytes) <= ProcessInfo.processInfo.physicalMemory else {
        throw loc.error("\(count) elements of \(elementSize) bytes do not fit in memory")
    }
    if let storedBytes, bytes > 64 << 20, UInt64(bytes) / 4096 > storedBytes {
        throw loc.error("\(count) elements (\(bytes) bytes) but only \(storedBytes) bytes are stored: the dataset was never written or the file is damaged")
    }
}

/// Reads `count` string elements stored with file datatype `fileType`, variable or fixed length.
///
/// `read(memType, buffer)` performs the actual `H5Dread`/`H5Aread`.
func readStringElements(fileType: hid_t, count: Int, _ loc: HDF5Location,
                        read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws(HDF5Error) -> [String] {
    guard count > 0 else { return [] }
    let isVariable = try loc.check(H5Tis_variable_str(fileType), "cannot inspect string type") > 0
    try checkReadSize(count: count, elementSize: isVariable ? MemoryLayout<UnsafeRawPointer>.size : H5Tget_size(fileType),
                      storedBytes: nil, loc)
    let cset = H5Tget_cset(fileType)
    let memType = try loc.check(H5Tcopy(chdf5_c_s1()), "cannot create string type")
    defer { H5Tclose(memType) }
    if cset == H5T_CSET_UTF8 {
        try loc.check(H5Tset_cset(memType, H5T_CSET_UTF8), "cannot create string type")
    }

    if isVariable {
        try loc.check(H5Tset_size(memType, chdf5_t_variable()), "cannot create string type")
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        let status = pointers.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
        defer { for p in pointers where p != nil { H5free_memory(p) } }
        try loc.check(status, "cannot read strings")
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    let size = H5Tget_size(fileType)
    guard size > 0 else { throw loc.error("string type has size 0") }
    let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
    try loc.check(H5Tset_size(memType, size), "cannot create string type")
    try loc.check(H5Tset_strpad(memType, H5T_STR_NULLPAD), "cannot create string type")
    var bytes = [UInt8](repeating: 0, count: count * size)
    let status = bytes.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
    try loc.check(status, "cannot read strings")
    return (0..<count).map { i in
        var element = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
        if spacePadded { while element.last == 0x20 { element = element.dropLast() } }
        return String(decoding: element, as: UTF8.self)
    }
}
