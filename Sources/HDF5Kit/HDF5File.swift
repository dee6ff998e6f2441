import CHDF5
import Foundation

/// The open HDF5 file shared by a file and every group and dataset opened from it.
///
/// Files are opened with the strong close degree: closing the file closes all of its
/// objects, which then refuse further work instead of touching stale identifiers.
final class HDF5FileHandle {
    let path: String
    private(set) var id: hid_t
    private(set) var isOpen = true

    init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// The file identifier, or an error naming `object` if the file was closed.
    func openID(object: String) throws(HDF5Error) -> hid_t {
        guard isOpen else { throw HDF5Error(file: path, object: object, message: "file is closed") }
        HDF5Library.quiet()
        return id
    }

    func close() throws(HDF5Error) {
        guard isOpen else { return }
        isOpen = false
        HDF5Library.quiet()
        try HDF5Location(file: path, object: "").check(H5Fclose(id), "cannot close file")
    }

    deinit { try? close() }
}

/// An HDF5 file on disk.
public final class HDF5File {
    /// File path as given when opening.
    public let path: String
    /// The root group "/".
    public let root: HDF5Group
    let handle: HDF5FileHandle

    private init(handle: HDF5FileHandle) throws(HDF5Error) {
        self.path = handle.path
        self.handle = handle
        self.root = try HDF5Group(handle: handle, path: "/", relativeTo: handle.openID(object: "/"), name: "/")
    }

    /// Creates a new file at `path`, replacing any existing one.
    public static func create(_ path: String) throws -> HDF5File {
        HDF5Library.quiet()
        let loc = HDF5Location(file: path, object: "")
        let fapl = try accessProperties(loc)
        defer { H5Pclose(fapl) }
        let id = H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), fapl)
        if id < 0 {
            let dir = (path as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
                throw loc.error("cannot create file: directory '\(dir)' does not exist")
            }
            throw loc.failure("cannot create file")
        }
        return try HDF5File(handle: HDF5FileHandle(path: path, id: id))
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        HDF5Library.quiet()
        let loc = HDF5Location(file: path, object: "")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw loc.error("file not found")
        }
        if isDir.boolValue { throw loc.error("is a directory, not an HDF5 file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw loc.error("file is not readable (permission denied)")
        }
        let isHDF5 = H5Fis_hdf5(path)
        if isHDF5 == 0 { throw loc.error("not an HDF5 file") }
        try loc.check(isHDF5, "cannot read file")
        if let problem = GlobalHeapCheck.problem(inFileAt: path) { throw loc.error("corrupt file: \(problem)") }
        let fapl = try accessProperties(loc)
        defer { H5Pclose(fapl) }
        let id = try loc.check(H5Fopen(path, writable ? chdf5_acc_rdwr() : chdf5_acc_rdonly(), fapl),
                               "cannot open file")
        return try HDF5File(handle: HDF5FileHandle(path: path, id: id))
    }

    /// File access: strong close, and the HDF5 1.8 format as the oldest (so attributes
    /// larger than 64 KiB, such as long residual histories, are allowed).
    private static func accessProperties(_ loc: HDF5Location) throws(HDF5Error) -> hid_t {
        let fapl = try loc.check(H5Pcreate(chdf5_p_file_access()), "cannot create file access properties")
        do {
            try loc.check(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "cannot set close degree")
            try loc.check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110),
                          "cannot set format version bounds")
        } catch {
            H5Pclose(fapl)
            throw error
        }
        return fapl
    }

    /// Whether the file is still open.
    public var isOpen: Bool { handle.isOpen }

    /// Writes all buffered data of the file to disk.
    public func flush() throws {
        let id = try handle.openID(object: "")
        try HDF5Location(file: path, object: "").check(H5Fflush(id, H5F_SCOPE_GLOBAL), "cannot flush file")
    }

    /// Closes the file and every group and dataset opened from it. Calling it again does nothing.
    public func close() throws {
        try handle.close()
    }
}
