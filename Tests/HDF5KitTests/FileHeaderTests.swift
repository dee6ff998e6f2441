import Foundation
import HDF5Kit
import Testing

struct FileHeaderTests {
    private let config = "[tissue]\nname = \"liver\"\nlength = \"680 um\"\n"

    @Test func headerRoundTripsWithChecksumAndTimestamp() throws {
        let dir = try TempDirectory()
        let path = dir.path("upscaled.h5")
        let header = FileHeader(kind: "upscaled", programVersion: "0.1.0", config: config, seed: UInt64.max - 5)
        try AtomicWrite.hdf5(to: path) { try header.write(to: $0) }

        let file = try HDF5File.open(path)
        let back = try FileHeader.read(from: file)
        #expect(back.kind == "upscaled")
        #expect(back.programVersion == "0.1.0")
        #expect(back.config == config)
        #expect(back.seed == UInt64.max - 5)
        #expect(back.sourcePath == path)
        try back.expectKind("upscaled")

        let root = file.root
        #expect(try root.stringAttribute("format") == "tissue-transport")
        #expect(try root.intAttribute("format_version") == 1)
        #expect(try root.attributeType("format_version") == .int64)
        #expect(try root.attributeType("seed") == .int64)
        #expect(try root.stringAttribute("config_sha256") == SHA256.hex(config))
        let created = try root.stringAttribute("created_utc")
        #expect(created.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil, "\(created)")
        #expect(back.createdUTC == created)
        #expect(try root.attributeNames() == ["config", "config_sha256", "created_utc", "format",
                                              "format_version", "kind", "program_version", "seed"])
    }

    @Test func wrongKindNamesBothKinds() throws {
        let dir = try TempDirectory()
        let path = dir.path("model.h5")
        try AtomicWrite.hdf5(to: path) {
            try FileHeader(kind: "model", programVersion: "0.1.0", config: "", seed: 1).write(to: $0)
        }
        let file = try HDF5File.open(path)
        let error = hdf5Error { _ = try FileHeader.read(from: file, expecting: "upscaled") }
        #expect(error == HDF5Error(file: path, object: "", message: "file is a 'model' file, expected an 'upscaled' file"))
    }

    @Test func foreignFilesAreRejected() throws {
        let dir = try TempDirectory()
        let path = dir.path("foreign.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("x", [1.0], units: "1", longName: "x")
            try file.close()
        }
        #expect(hdf5Error { _ = try FileHeader.read(from: HDF5File.open(path)) }?.message
            == "not a TissueTransport file (no 'format' attribute)")
        do {
            let file = try HDF5File.open(path, writable: true)
            try file.root.setAttribute("format", "netcdf")
        }
        #expect(hdf5Error { _ = try FileHeader.read(from: HDF5File.open(path)) }?.message
            == "not a TissueTransport file (format is 'netcdf')")
    }

    @Test func editedConfigNoLongerMatchesItsChecksum() throws {
        let dir = try TempDirectory()
        let path = dir.path("edited.h5")
        try AtomicWrite.hdf5(to: path) {
            try FileHeader(kind: "average", programVersion: "0.1.0", config: config, seed: 7).write(to: $0)
            try $0.root.setAttribute("config", config + "extra = 1\n")
        }
        #expect(hdf5Error { _ = try FileHeader.read(from: HDF5File.open(path)) }?.message
            == "config_sha256 does not match the stored config")
    }

    @Test func newerFormatVersionIsRejected() throws {
        let dir = try TempDirectory()
        let path = dir.path("future.h5")
        try AtomicWrite.hdf5(to: path) {
            try FileHeader(kind: "model", programVersion: "9.0", config: "", seed: 0).write(to: $0)
            try $0.root.setAttribute("format_version", 2)
        }
        #expect(hdf5Error { _ = try FileHeader.read(from: HDF5File.open(path)) }?.message
            == "format_version 2 is newer than this program reads (1)")
    }
}
