import CHDF5

/// An open group or dataset inside a file (opaque; reach it through `HDF5Group` and `HDF5Dataset`).
public final class HDF5Object {
    let handle: HDF5FileHandle
    let id: hid_t
    /// Absolute object path inside the file.
    let path: String

    /// Opens the object at `name` (relative to `parent`, or absolute) and checks its kind.
    init(handle: HDF5FileHandle, path: String, parent: hid_t, name: String,
         expected: H5I_type_t, kindName: String) throws(HDF5Error) {
        let loc = HDF5Location(file: handle.path, object: path)
        let id = try loc.check(H5Oopen(parent, name, chdf5_p_default()), "cannot open \(kindName)")
        let actual = H5Iget_type(id)
        guard actual == expected else {
            H5Oclose(id)
            let what = actual == H5I_GROUP ? "a group" : actual == H5I_DATASET ? "a dataset" : "another kind of object"
            throw loc.error("not a \(kindName) (it is \(what))")
        }
        self.handle = handle
        self.id = id
        self.path = path
    }

    init(handle: HDF5FileHandle, path: String, ownedID id: hid_t) {
        self.handle = handle
        self.id = id
        self.path = path
    }

    var loc: HDF5Location { HDF5Location(file: handle.path, object: path) }

    /// The object identifier, or an error if the file has been closed.
    func openID() throws(HDF5Error) -> hid_t {
        _ = try handle.openID(object: path)
        return id
    }

    deinit {
        // After a strong file close the identifier is already gone.
        if handle.isOpen { H5Oclose(id) }
    }
}
