/// A failed HDF5 operation, naming the file and the object inside it.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// Path of the file (or, for directory problems, of the directory).
    public let file: String
    /// Object path inside the file (`/macro/c`), or "" for the file itself.
    public let object: String
    /// What went wrong, e.g. "dataset not found".
    public let message: String

    public init(file: String, object: String = "", message: String) {
        self.file = file
        self.object = object
        self.message = message
    }

    /// `<file>: <object>: <message>`, without the object when it is empty.
    public var description: String {
        object.isEmpty ? "\(file): \(message)" : "\(file): \(object): \(message)"
    }
}
