import Foundation
import HDF5Kit
import Testing

struct HDF5DatasetTests {
    /// Writes `values` as 1-D and as shape (2, n/2), reopens the file and checks values, shape and type.
    private func checkRoundTrip<T: HDF5Scalar & Equatable>(_ values: [T]) throws {
        let dir = try TempDirectory()
        let path = dir.path("roundtrip.h5")
        let rows = 2, columns = values.count / 2
        do {
            let file = try HDF5File.create(path)
            try file.root.write("flat", values, units: "1", longName: "flat values")
            try file.root.write("grid/table", values, shape: [rows, columns], units: "mol m-3", longName: "table")
            try file.close()
        }
        let file = try HDF5File.open(path)
        let flat = try file.root.dataset("flat")
        #expect(flat.shape == [values.count])
        #expect(flat.elementType == T.hdf5Type)
        #expect(try flat.read(T.self) == values)
        let table = try file.root.group("grid").dataset("table")
        #expect(table.path == "/grid/table")
        #expect(table.shape == [rows, columns])
        #expect(try table.read(T.self) == values)
        #expect(try table.stringAttribute("units") == "mol m-3")
        #expect(try table.stringAttribute("long_name") == "table")
    }

    @Test func everyScalarTypeRoundTripsIn1DAnd2D() throws {
        try checkRoundTrip([0.5, -1e-10, .pi, 1e300, -0.0, .infinity] as [Double])
        try checkRoundTrip([0.5, -1e-10, 3.25, 1e30, 7, -2] as [Float])
        try checkRoundTrip([0, -1, .max, .min, 42, 7] as [Int32])
        try checkRoundTrip([0, -1, .max, .min, 42, 7] as [Int64])
        try checkRoundTrip([0, 1, 255, 128, 42, 7] as [UInt8])
        try checkRoundTrip([0, -1, .max, .min] as [Int8])
        try checkRoundTrip([0, -1, .max, .min] as [Int16])
        try checkRoundTrip([0, 1, .max, 9] as [UInt16])
        try checkRoundTrip([0, 1, .max, 9] as [UInt32])
        try checkRoundTrip([0, 1, .max, 9] as [UInt64])
        try checkRoundTrip([0, -1, .max, .min] as [Int])
    }

    @Test func nanSurvivesRoundTrip() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("nan.h5"))
        try file.root.write("x", [Double.nan, 1], units: "1", longName: "x")
        let back = try file.root.dataset("x").read(Double.self)
        #expect(back[0].isNaN && back[1] == 1)
    }

    @Test func rowMajorLayoutMatchesNumpyShape() throws {
        // (ny, nx) = (2, 3): element [j][i] is values[j * 3 + i].
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("layout.h5"))
        let ds = try file.root.write("c", [1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3], units: "1", longName: "c")
        #expect(ds.shape == [2, 3])
        #expect(ds.count == 6)
        #expect(try ds.read(Double.self) == [1, 2, 3, 4, 5, 6])
    }

    @Test func emptyArraysRoundTrip() throws {
        let dir = try TempDirectory()
        let path = dir.path("empty.h5")
        do {
            let file = try HDF5File.create(path)
            try file.root.write("none", [Double](), units: "m", longName: "nothing")
            try file.root.write("none2d", [Int32](), shape: [0, 4], units: "1", longName: "nothing")
            try file.root.writeStrings("names", [], longName: "no names")
            try file.close()
        }
        let file = try HDF5File.open(path)
        #expect(try file.root.dataset("none").shape == [0])
        #expect(try file.root.dataset("none").read(Double.self) == [])
        #expect(try file.root.dataset("none2d").shape == [0, 4])
        #expect(try file.root.dataset("none2d").read(Int32.self) == [])
        #expect(try file.root.dataset("names").readStrings() == [])
    }

    @Test func shapeThatDoesNotMatchCountThrows() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("shape.h5"))
        let error = hdf5Error { try file.root.write("c", [1, 2, 3, 4, 5] as [Double], shape: [2, 3], units: "1", longName: "c") }
        #expect(error?.object == "/c")
        #expect(error?.message.contains("[2, 3]") == true)
        #expect(!file.root.contains("c"))
    }

    @Test func writingOverAnExistingDatasetThrows() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("twice.h5"))
        try file.root.write("c", [1.0], units: "1", longName: "c")
        let error = hdf5Error { try file.root.write("c", [2.0], units: "1", longName: "c") }
        #expect(error?.message == "already exists")
    }

    @Test func stringDatasetsRoundTripIncludingUnicode() throws {
        let dir = try TempDirectory()
        let path = dir.path("strings.h5")
        let names = ["eps_beta", "phi2", "Pe", "Dr", "c/Ka", "−r ∂x⟨c⟩^β", ""]
        do {
            let file = try HDF5File.create(path)
            try file.root.writeStrings("samples/feature_names", names, longName: "feature names")
            try file.close()
        }
        let file = try HDF5File.open(path)
        let ds = try file.root.dataset("samples/feature_names")
        #expect(ds.elementType == .string)
        #expect(ds.shape == [names.count])
        #expect(try ds.readStrings() == names)
        #expect(try ds.stringAttribute("long_name") == "feature names")
        let error = hdf5Error { _ = try ds.read(Double.self) }
        #expect(error?.message == "expected Double data, found string")
    }

    @Test func float32AndIntegerDataReadAsDouble() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("widen.h5"))
        try file.root.write("f", [0.5, -2.25] as [Float], units: "1", longName: "f")
        try file.root.write("i", [3, -7] as [Int32], units: "1", longName: "i")
        try file.root.write("mask", [0, 1, 1] as [UInt8], units: "1", longName: "mask")
        #expect(try file.root.dataset("f").read(Double.self) == [0.5, -2.25])
        #expect(try file.root.dataset("i").read(Double.self) == [3, -7])
        #expect(try file.root.dataset("mask").read(Double.self) == [0, 1, 1])
        #expect(try file.root.dataset("mask").read(Int32.self) == [0, 1, 1])
        #expect(try file.root.dataset("i").read(Int64.self) == [3, -7])
    }

    @Test func float64ReadAsIntegerOrFloatThrowsNamingBothTypes() throws {
        let dir = try TempDirectory()
        let path = dir.path("narrow.h5")
        let file = try HDF5File.create(path)
        try file.root.write("macro/c", [1.5, 2.5], units: "mol m-3", longName: "c")
        try file.root.write("mask", [1, 0] as [UInt8], units: "1", longName: "mask")
        try file.root.write("big", [1, 2] as [Int64], units: "1", longName: "big")
        let c = try file.root.dataset("macro/c")
        let error = hdf5Error { _ = try c.read(Int32.self) }
        #expect(error == HDF5Error(file: path, object: "/macro/c", message: "expected Int32 data, found 64-bit float"))
        #expect(hdf5Error { _ = try c.read(Float.self) }?.message == "expected Float data, found 64-bit float")
        #expect(hdf5Error { _ = try file.root.dataset("big").read(Int32.self) }?.message
            == "expected Int32 data, found 64-bit signed integer")
        #expect(hdf5Error { _ = try file.root.dataset("macro/c").readStrings() }?.message
            == "expected string data, found 64-bit float")
        #expect(HDF5ElementType.uint8.description == "8-bit unsigned integer")
    }

    @Test func largeDatasetsAreChunkedAndCompressedYetReadBackExactly() throws {
        let dir = try TempDirectory()
        let path = dir.path("large.h5")
        let ny = 300, nx = 400
        let values = (0..<(ny * nx)).map { Double($0 % nx) * 0.25 }
        do {
            let file = try HDF5File.create(path)
            try file.root.write("fields/c", values, shape: [ny, nx], units: "mol m-3", longName: "c")
            try file.close()
        }
        // Smoothly varying data: shuffle + deflate shrink it far below 960 kB of raw doubles.
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size < values.count * 8 / 4)
        let file = try HDF5File.open(path)
        #expect(try file.root.dataset("fields/c").read(Double.self) == values)
        #expect(try file.root.dataset("fields/c").shape == [ny, nx])
    }
}
