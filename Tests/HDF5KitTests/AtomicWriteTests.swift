import Foundation
import HDF5Kit
import Testing

struct AtomicWriteTests {
    private struct Abort: Error {}

    @Test func successfulWriteLeavesOnlyTheFinalFile() throws {
        let dir = try TempDirectory()
        let path = dir.path("out/run.h5")   // parent directory is created
        try AtomicWrite.hdf5(to: path) { file in
            #expect(file.path == path + ".partial")
            try file.root.write("macro/x", [0.0, 1e-6], units: "m", longName: "position")
        }
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try HDF5File.open(path).root.dataset("macro/x").read(Double.self) == [0.0, 1e-6])
    }

    @Test func throwingBodyLeavesNoFileAndNoPartial() throws {
        let dir = try TempDirectory()
        let path = dir.path("run.h5")
        #expect(throws: Abort.self) {
            try AtomicWrite.hdf5(to: path) { file in
                try file.root.write("macro/x", [1.0], units: "m", longName: "x")
                throw Abort()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == [])
    }

    @Test func throwingBodyLeavesThePreviousFileIntact() throws {
        let dir = try TempDirectory()
        let path = dir.path("run.h5")
        try AtomicWrite.hdf5(to: path) { try $0.root.write("v", [1.0, 2.0], units: "1", longName: "old") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: Abort.self) {
            try AtomicWrite.hdf5(to: path) { file in
                try file.root.write("v", [9.0], units: "1", longName: "new")
                throw Abort()
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try HDF5File.open(path).root.dataset("v").read(Double.self) == [1.0, 2.0])
    }

    @Test func successfulWriteReplacesThePreviousFile() throws {
        let dir = try TempDirectory()
        let path = dir.path("run.h5")
        try AtomicWrite.hdf5(to: path) { try $0.root.write("v", [1.0], units: "1", longName: "old") }
        try AtomicWrite.hdf5(to: path) { try $0.root.write("w", [2.0], units: "1", longName: "new") }
        let file = try HDF5File.open(path)
        #expect(try file.root.childNames() == ["w"])
    }

    @Test func staleOrOpenObjectsDoNotBlockTheRename() throws {
        let dir = try TempDirectory()
        let path = dir.path("run.h5")
        try "stale".write(toFile: path + ".partial", atomically: false, encoding: .utf8)
        var kept: HDF5Dataset?
        try AtomicWrite.hdf5(to: path) { file in
            kept = try file.root.write("v", [4.0], units: "1", longName: "v")
        }
        #expect(kept != nil)
        #expect(try HDF5File.open(path).root.dataset("v").read(Double.self) == [4.0])
    }

    @Test func unusableDirectoryIsReportedBeforeTheBodyRuns() throws {
        let dir = try TempDirectory()
        let blocker = dir.path("plain-file")
        try "x".write(toFile: blocker, atomically: false, encoding: .utf8)
        let path = blocker + "/sub/run.h5"   // a parent that cannot be created
        var bodyRan = false
        let error = hdf5Error { try AtomicWrite.hdf5(to: path) { _ in bodyRan = true } }
        #expect(!bodyRan)
        #expect(error?.file == blocker + "/sub")
        #expect(error?.description.contains(blocker + "/sub") == true)
        #expect(hdf5Error { try AtomicWrite.checkDestination(path) }?.file == blocker + "/sub")
        try AtomicWrite.checkDestination(dir.path("new/dir/run.h5"))
        #expect(FileManager.default.fileExists(atPath: dir.path("new/dir")))
    }

    @Test(.enabled(if: getuid() != 0, "root can write into read-only directories"))
    func readOnlyDirectoryIsReportedBeforeTheBodyRuns() throws {
        let dir = try TempDirectory()
        let locked = dir.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
        var bodyRan = false
        let error = hdf5Error { try AtomicWrite.hdf5(to: locked + "/run.h5") { _ in bodyRan = true } }
        #expect(!bodyRan)
        #expect(error == HDF5Error(file: locked, object: "", message: "directory is not writable"))
    }
}
