import Foundation
import HDF5Kit
import Testing

struct HDF5InspectorTests {
    @Test func descriptionListsDatasetsShapesTypesUnitsAndShortensLongText() throws {
        let dir = try TempDirectory()
        let path = dir.path("inspect.h5")
        let config = (1...12).map { "key\($0) = \($0)" }.joined(separator: "\n") + "\n"
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: "dns-tissue", programVersion: "0.1.0", config: config, seed: 42).write(to: file)
            try file.root.write("grid/x", [0.5e-6, 1.5e-6, 2.5e-6], units: "m", longName: "cell centre x")
            try file.root.write("fields/c", [Double](repeating: 1, count: 6), shape: [2, 3],
                                units: "mol m-3", longName: "concentration")
            try file.root.write("fields/mask", [0, 1, 1, 0, 0, 1] as [UInt8], shape: [2, 3], units: "1", longName: "1 = cell")
            try file.root.writeStrings("names", ["a", "b"], longName: "names")
            try file.root.group("fields").setAttribute("window", [1.0, 2, 3, 4, 5, 6, 7, 8])
        }
        let text = try HDF5Inspector.describe(HDF5File.open(path))
        #expect(text.contains("fields/"))
        #expect(text.contains("  c  float64 (2, 3)"))
        #expect(text.contains("  mask  uint8 (2, 3)"))
        #expect(text.contains("  x  float64 (3)"))
        #expect(text.contains("names  string (2)"))
        #expect(text.contains("@units = \"mol m-3\""))
        #expect(text.contains("@units = \"m\""))
        #expect(text.contains("@long_name = \"cell centre x\""))
        #expect(text.contains("@config = \"key1 = 1… (12 lines)\""))
        #expect(text.contains("@seed = 42"))
        #expect(text.contains("@format_version = 1"))
        #expect(text.contains("@window = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, …] (8 values)"))
        #expect(!text.contains("key2"))
    }
}
