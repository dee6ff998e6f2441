import Foundation

/// Atomic writing: readers see either the previous file or the complete new one, never half a file.
public enum AtomicWrite {
    /// Writes an HDF5 file at `path` through `body`.
    ///
    /// The body writes into "<path>.partial"; on success the file is flushed, closed and
    /// renamed to `path` (POSIX rename, replacing any previous file). If the body throws, the
    /// .partial is removed and any previous file at `path` is untouched; a killed process
    /// leaves at most the .partial, which the next write replaces. The parent directory is
    /// created if missing; if it cannot be written, an error naming it is thrown before `body` runs.
    public static func hdf5(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let directory = try prepareDirectory(of: path)
        let partial = path + ".partial"
        unlink(partial)
        let file = try HDF5File.create(partial)
        do {
            try body(file)
            try file.flush()
            try file.close()
            syncToDisk(partial)
            if rename(partial, path) != 0 {
                throw HDF5Error(file: path, message: "cannot rename '\(partial)' into place: \(errnoText())")
            }
            syncToDisk(directory)
        } catch {
            try? file.close()
            unlink(partial)
            throw error
        }
    }

    /// Checks, before any expensive work, that `hdf5(to: path)` will be able to write:
    /// creates the parent directory if missing and throws an error naming it if it is not writable.
    public static func checkDestination(_ path: String) throws {
        _ = try prepareDirectory(of: path)
    }

    /// Creates the parent directory of `path` if needed and checks that it is writable.
    static func prepareDirectory(of path: String) throws -> String {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw HDF5Error(file: directory, message: "cannot create directory (\(error.localizedDescription))")
            }
        } else if !isDirectory.boolValue {
            throw HDF5Error(file: directory, message: "not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw HDF5Error(file: directory, message: "directory is not writable")
        }
        return directory
    }

    /// fsync a file or directory (best effort: durability after a crash, not correctness).
    private static func syncToDisk(_ path: String) {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        Foundation.close(fd)
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
