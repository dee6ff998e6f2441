import Foundation
import HDF5Kit
import Testing

struct HDF5FileTests {
    @Test func missingFileThrowsFileNotFound() throws {
        let dir = try TempDirectory()
        let path = dir.path("missing.h5")
        let error = hdf5Error { _ = try HDF5File.open(path) }
        #expect(error == HDF5Error(file: path, object: "", message: "file not found"))
        #expect(error?.description == "\(path): file not found")
    }

    @Test func textFileThrowsNotAnHDF5File() throws {
        let dir = try TempDirectory()
        let path = dir.path("notes.h5")
        try "this is a TOML file, not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = hdf5Error { _ = try HDF5File.open(path) }
        #expect(error?.message == "not an HDF5 file")
        #expect(error?.description.hasPrefix(path) == true)
    }

    @Test func truncatedFileThrowsInsteadOfCrashing() throws {
        let dir = try TempDirectory()
        let path = dir.path("truncated.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("macro/c", (0..<5000).map(Double.init), units: "mol m-3", longName: "c")
            try file.root.setAttribute("config", String(repeating: "key = 1\n", count: 200))
            try file.close()
        }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()

        let error = hdf5Error {
            let file = try HDF5File.open(path)
            _ = try file.root.dataset("macro/c").read(Double.self)
            _ = try file.root.stringAttribute("config")
        }
        #expect(error?.file == path)
        #expect(error?.description.contains(path) == true)
    }

    @Test func directoryInsteadOfFileThrows() throws {
        let dir = try TempDirectory()
        #expect(hdf5Error { _ = try HDF5File.open(dir.url.path) }?.message == "is a directory, not an HDF5 file")
    }

    @Test func createInMissingDirectoryNamesTheDirectory() throws {
        let dir = try TempDirectory()
        let path = dir.path("no/such/dir/out.h5")
        let error = hdf5Error { _ = try HDF5File.create(path) }
        #expect(error?.file == path)
        #expect(error?.message.contains("no/such/dir") == true)
    }

    @Test func missingDatasetAndGroupNameTheFullObjectPath() throws {
        let dir = try TempDirectory()
        let path = dir.path("paths.h5")
        let file = try HDF5File.create(path)
        let macro = try file.root.createGroup("macro")
        try macro.write("x", [0.0, 1.0], units: "m", longName: "x")

        let missingDataset = hdf5Error { _ = try macro.dataset("c") }
        #expect(missingDataset == HDF5Error(file: path, object: "/macro/c", message: "dataset not found"))
        #expect(missingDataset?.description == "\(path): /macro/c: dataset not found")

        let missingGroup = hdf5Error { _ = try file.root.group("macro/solver/history") }
        #expect(missingGroup == HDF5Error(file: path, object: "/macro/solver/history", message: "group not found"))

        let wrongKind = hdf5Error { _ = try macro.group("x") }
        #expect(wrongKind?.object == "/macro/x")
        #expect(wrongKind?.message == "not a group (it is a dataset)")
        #expect(hdf5Error { _ = try file.root.dataset("macro") }?.message == "not a dataset (it is a group)")
    }

    @Test func nestedGroupsAreCreatedWithIntermediates() throws {
        let dir = try TempDirectory()
        let path = dir.path("groups.h5")
        do {
            let file = try HDF5File.create(path)
            let layer = try file.root.createGroup("model/layers/0")
            #expect(layer.path == "/model/layers/0")
            try layer.write("W", [1, 2, 3, 4] as [Float], shape: [2, 2], units: "1", longName: "weights")
            try file.root.createGroup("model/layers/1")
            try file.root.createGroup("average")
            _ = try file.root.requireGroup("model/layers/1")
            #expect(hdf5Error { _ = try file.root.createGroup("average") }?.message == "already exists")
            try file.close()
        }
        let file = try HDF5File.open(path)
        #expect(try file.root.childNames() == ["average", "model"])
        #expect(try file.root.group("model/layers").childNames() == ["0", "1"])
        #expect(try file.root.group("model").group("layers/0").childNames() == ["W"])
        #expect(try file.root.kind(of: "model/layers/0/W") == .dataset)
        #expect(try file.root.kind(of: "model/layers") == .group)
        #expect(try file.root.group("/model/layers").path == "/model/layers")
    }

    @Test func containsIsSafeForMissingParents() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("contains.h5"))
        try file.root.write("a/b/c", [1.0], units: "1", longName: "c")
        #expect(file.root.contains("a"))
        #expect(file.root.contains("a/b/c"))
        #expect(file.root.contains("/a/b"))
        #expect(try file.root.group("a").contains("b/c"))
        #expect(!file.root.contains("a/x/c"))
        #expect(!file.root.contains("x/y/z"))
        #expect(!file.root.contains("a/b/c/d"))
    }

    @Test func closeIsIdempotentAndClosedObjectsRefuseWork() throws {
        let dir = try TempDirectory()
        let path = dir.path("closed.h5")
        let file = try HDF5File.create(path)
        let ds = try file.root.write("x", [1.0, 2.0], units: "m", longName: "x")
        let group = try file.root.createGroup("g")
        try file.close()
        try file.close()
        #expect(!file.isOpen)
        #expect(hdf5Error { _ = try ds.read(Double.self) } == HDF5Error(file: path, object: "/x", message: "file is closed"))
        #expect(hdf5Error { try group.setAttribute("a", 1) }?.message == "file is closed")
        #expect(hdf5Error { try file.flush() }?.message == "file is closed")
        #expect(!file.root.contains("x"))
        // The file was complete on disk when closed with objects still open.
        #expect(try HDF5File.open(path).root.dataset("x").read(Double.self) == [1.0, 2.0])
    }

    @Test func closingOneOpeningOfAFileLeavesAnotherUsable() throws {
        let dir = try TempDirectory()
        let path = dir.path("twice.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("x", [5.0], units: "m", longName: "x")
            try file.close()
        }
        let first = try HDF5File.open(path)
        let second = try HDF5File.open(path)
        let x = try second.root.dataset("x")
        try first.close()
        #expect(try x.read(Double.self) == [5.0])
    }

    @Test func objectsKeepTheirFileOpenAfterTheFileValueIsGone() throws {
        let dir = try TempDirectory()
        let path = dir.path("lifetime.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("x", [3.0], units: "m", longName: "x")
            try file.close()
        }
        func openDataset() throws -> HDF5Dataset { try HDF5File.open(path).root.dataset("x") }
        #expect(try openDataset().read(Double.self) == [3.0])
    }

    @Test func writableOpenAddsToAnExistingFile() throws {
        let dir = try TempDirectory()
        let path = dir.path("append.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("x", [1.0], units: "m", longName: "x")
            try file.close()
        }
        do {
            let file = try HDF5File.open(path, writable: true)
            try file.root.write("y", [2.0], units: "m", longName: "y")
            try file.close()
        }
        let file = try HDF5File.open(path)
        #expect(try file.root.childNames() == ["x", "y"])
        #expect(hdf5Error { try file.root.write("z", [1.0], units: "m", longName: "z") }?.object == "/z")
    }

    @Test func filesWorkFromManyThreadsAtOnce() async throws {
        let dir = try TempDirectory()
        let paths = (0..<8).map { dir.path("thread\($0).h5") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, path) in paths.enumerated() {
                group.addTask {
                    let file = try HDF5File.create(path)
                    try file.root.write("v", [Double](repeating: Double(i), count: 1000), units: "1", longName: "v")
                    try file.close()
                    let back = try HDF5File.open(path).root.dataset("v").read(Double.self)
                    #expect(back == [Double](repeating: Double(i), count: 1000))
                    #expect(hdf5Error { _ = try HDF5File.open(path + ".missing") }?.message == "file not found")
                }
            }
            try await group.waitForAll()
        }
    }
}
