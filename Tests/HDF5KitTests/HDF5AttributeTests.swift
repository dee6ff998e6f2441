import CHDF5
import Foundation
import HDF5Kit
import Testing

struct HDF5AttributeTests {
    @Test func everyAttributeTypeRoundTripsOnGroupsAndDatasets() throws {
        let dir = try TempDirectory()
        let path = dir.path("attrs.h5")
        let config = "[tissue]\nname = \"brain\"\nporosity = 0.260372\n"
        do {
            let file = try HDF5File.create(path)
            let solver = try file.root.createGroup("macro/solver")
            let c = try file.root.write("macro/c", [1.0, 2.0], units: "mol m-3", longName: "concentration")
            for holder in [solver, c] as [any HDF5AttributeHolder] {
                try holder.setAttribute("config", config)
                try holder.setAttribute("residual", 1.5e-9)
                try holder.setAttribute("iterations", 17)
                try holder.setAttribute("history", [1.0, 0.1, 1e-3])
                try holder.setAttribute("counts", [3, -4, Int.max])
                try holder.setAttribute("names", ["εβ", "φ²", "Pe"])
                try holder.setAttribute("empty", [Double]())
            }
            try file.close()
        }
        let file = try HDF5File.open(path)
        let holders: [any HDF5AttributeHolder] = [try file.root.group("macro/solver"), try file.root.dataset("macro/c")]
        for holder in holders {
            #expect(try holder.stringAttribute("config") == config)
            #expect(try holder.doubleAttribute("residual") == 1.5e-9)
            #expect(try holder.intAttribute("iterations") == 17)
            #expect(try holder.doubleAttribute("iterations") == 17)
            #expect(try holder.doubleArrayAttribute("history") == [1.0, 0.1, 1e-3])
            #expect(try holder.doubleArrayAttribute("residual") == [1.5e-9])
            #expect(try holder.intArrayAttribute("counts") == [3, -4, Int.max])
            #expect(try holder.stringArrayAttribute("names") == ["εβ", "φ²", "Pe"])
            #expect(try holder.doubleArrayAttribute("empty") == [])
            #expect(try holder.attributeType("iterations") == .int64)
            #expect(try holder.attributeType("config") == .string)
        }
        #expect(try holders[0].attributeNames() == ["config", "counts", "empty", "history", "iterations", "names", "residual"])
        #expect(try holders[1].attributeNames()
            == ["config", "counts", "empty", "history", "iterations", "long_name", "names", "residual", "units"])
    }

    @Test func settingAnAttributeAgainReplacesItEvenWithAnotherType() throws {
        let dir = try TempDirectory()
        let file = try HDF5File.create(dir.path("replace.h5"))
        try file.root.setAttribute("seed", 1)
        try file.root.setAttribute("seed", "not a number")
        #expect(try file.root.stringAttribute("seed") == "not a number")
        #expect(try file.root.attributeNames() == ["seed"])
    }

    @Test func largeAttributesBeyond64KiBAreStored() throws {
        let dir = try TempDirectory()
        let path = dir.path("bigattr.h5")
        let history = (0..<20_000).map { 1.0 / Double($0 + 1) }
        do {
            let file = try HDF5File.create(path)
            try file.root.setAttribute("residual_history", history)
            try file.close()
        }
        #expect(try HDF5File.open(path).root.doubleArrayAttribute("residual_history") == history)
    }

    @Test func wrongTypesAndMissingAttributesThrowNamingTheObject() throws {
        let dir = try TempDirectory()
        let path = dir.path("wrong.h5")
        let file = try HDF5File.create(path)
        let c = try file.root.write("macro/c", [1.0], units: "mol m-3", longName: "c")
        try c.setAttribute("w", 2.5)
        try c.setAttribute("pair", [1, 2])

        #expect(hdf5Error { _ = try c.stringAttribute("missing") }
            == HDF5Error(file: path, object: "/macro/c", message: "attribute 'missing' not found"))
        #expect(hdf5Error { _ = try c.intAttribute("w") }?.message == "attribute 'w': expected integers, found 64-bit float")
        #expect(hdf5Error { _ = try c.doubleAttribute("units") }?.message == "attribute 'units': expected a number, found string")
        #expect(hdf5Error { _ = try c.stringAttribute("w") }?.message == "attribute 'w': expected a string, found 64-bit float")
        #expect(hdf5Error { _ = try c.intAttribute("pair") }?.message == "attribute 'pair': expected one integer, found 2")
        #expect(c.hasAttribute("w"))
        #expect(!c.hasAttribute("missing"))
    }

    @Test func fixedLengthStringsAsNumpyBytesWritesThemAreRead() throws {
        // Written with the C API: numpy bytes become fixed-length, null- or space-padded strings.
        let dir = try TempDirectory()
        let path = dir.path("fixed.h5")
        try writeFixedLengthStrings(path)
        let file = try HDF5File.open(path)
        #expect(try file.root.stringAttribute("kind") == "model")
        #expect(try file.root.stringAttribute("padded") == "ab")
        #expect(try file.root.attributeType("kind") == .string)
        #expect(try file.root.dataset("names").readStrings() == ["eps", "phi2", "Pe"])
        #expect(try file.root.dataset("names").elementType == .string)
        #expect(try file.root.dataset("names").shape == [3])
    }

    /// Root attribute kind = b"model" (S5, null-terminated), padded = b"ab" (S8, space-padded),
    /// dataset /names = [b"eps", b"phi2", b"Pe"] (S6, null-padded).
    private func writeFixedLengthStrings(_ path: String) throws {
        let fid = H5Fcreate(path, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default())
        try #require(fid >= 0)
        defer { H5Fclose(fid) }
        let scalar = H5Screate(H5S_SCALAR)
        defer { H5Sclose(scalar) }

        func fixedType(_ size: Int, _ pad: H5T_str_t) -> hid_t {
            let type = H5Tcopy(chdf5_c_s1())
            H5Tset_size(type, size)
            H5Tset_strpad(type, pad)
            return type
        }
        func attribute(_ name: String, _ bytes: [UInt8], _ pad: H5T_str_t) throws {
            let type = fixedType(bytes.count, pad)
            defer { H5Tclose(type) }
            let attr = H5Acreate2(fid, name, type, scalar, chdf5_p_default(), chdf5_p_default())
            try #require(attr >= 0)
            defer { H5Aclose(attr) }
            #expect(H5Awrite(attr, type, bytes) >= 0)
        }
        try attribute("kind", Array("model".utf8) + [0], H5T_STR_NULLTERM)
        try attribute("padded", Array("ab      ".utf8), H5T_STR_SPACEPAD)

        let type = fixedType(6, H5T_STR_NULLPAD)
        defer { H5Tclose(type) }
        var dims: [hsize_t] = [3]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let ds = H5Dcreate2(fid, "names", type, space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        try #require(ds >= 0)
        defer { H5Dclose(ds) }
        let bytes = ["eps", "phi2", "Pe"].flatMap { Array($0.utf8) + [UInt8](repeating: 0, count: 6 - $0.utf8.count) }
        #expect(H5Dwrite(ds, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), bytes) >= 0)
    }
}
