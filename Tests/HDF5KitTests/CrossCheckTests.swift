import Foundation
import HDF5Kit
import Testing

/// External readers: h5dump (hdf5-tools) and h5py, each skipped when not installed, except under
/// TISSUE_REQUIRE_OPTIONAL=1 (set by .ci/run, which installs both): there a missing reader fails the test.
/// Set TISSUE_PYTHON to a python with h5py (e.g. a virtualenv) to enable the h5py check.
enum CrossCheck {
    /// TISSUE_REQUIRE_OPTIONAL=1: the optional tools are required; a test that needs a missing one fails.
    static let requireOptional = ProcessInfo.processInfo.environment["TISSUE_REQUIRE_OPTIONAL"] == "1"

    /// Run when the tool is there or the tools are required (the test then fails at its `#require`).
    static func needs(_ available: Bool, _ tool: String) -> ConditionTrait {
        .enabled(if: available || requireOptional, "\(tool) not available (TISSUE_REQUIRE_OPTIONAL=1 makes this a failure)")
    }

    static func pythonWithH5py() -> String? {
        let python = ProcessInfo.processInfo.environment["TISSUE_PYTHON"] ?? "python3"
        return run(python, ["-c", "import h5py"])?.status == 0 ? python : nil
    }

    static let hasH5dump = run("h5dump", ["--version"])?.status == 0

    /// A small file with everything a TissueTransport file holds.
    static func writeSample(_ path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: "upscaled", programVersion: "0.1.0", config: "[run]\nm = 3\n", seed: 42).write(to: file)
            try file.root.write("macro/x", [0.0, 0.5, 1.0], units: "m", longName: "position")
            try file.root.write("macro/c", [2.0, 1.5, 1.2], units: "mol m-3", longName: "concentration")
            try file.root.write("macro/eta", [0.9, 0.92, 0.95], units: "1", longName: "effectiveness factor")
            try file.root.write("macro/dcdx", [-1.0, -0.8, 0.0], units: "mol m-4", longName: "concentration gradient")
            try file.root.createGroup("macro/solver").setAttribute("iterations", 7)
            // Large enough to be chunked and compressed.
            try file.root.write("fields/big", (0..<75_000).map { Double($0 % 250) }, shape: [300, 250],
                                units: "mol m-3", longName: "big field")
            try file.root.write("macro/c_t", [1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3], units: "mol m-3", longName: "c(t, x)")
            try file.root.write("fields/mask", [0, 1] as [UInt8], units: "1", longName: "1 = cell")
            try file.root.writeStrings("samples/feature_names", ["eps_beta", "φ²"], longName: "features")
            try file.root.group("macro").setAttribute("history", [1.0, 0.5])
        }
    }
}

struct CrossCheckTests {
    @Test(CrossCheck.needs(CrossCheck.hasH5dump, "h5dump"))
    func h5dumpReadsVariableLengthUTF8StringsAndData() throws {
        let dir = try TempDirectory()
        let path = dir.path("sample.h5")
        try #require(CrossCheck.hasH5dump, "h5dump (hdf5-tools) is not installed")
        try CrossCheck.writeSample(path)
        let dump = try #require(run("h5dump", [path]))
        #expect(dump.status == 0, "\(dump.output)")
        #expect(dump.output.contains("H5T_VARIABLE"))
        #expect(dump.output.contains("H5T_CSET_UTF8"))
        #expect(dump.output.contains("\"tissue-transport\""))
        #expect(dump.output.contains("( 2, 3 )"))
    }

    @Test(CrossCheck.needs(CrossCheck.pythonWithH5py() != nil, "h5py"))
    func h5pyReadsStringsAsStrAndArraysWithNumpyShapes() throws {
        let dir = try TempDirectory()
        let path = dir.path("sample.h5")
        try CrossCheck.writeSample(path)
        let script = """
        import h5py, numpy as np
        with h5py.File('\(path)', 'r') as f:
            assert f.attrs['format'] == 'tissue-transport' and isinstance(f.attrs['format'], str)
            assert f.attrs['format_version'] == 1 and f.attrs['seed'] == 42
            assert f['macro/c_t'].shape == (2, 3) and f['macro/c_t'][1, 0] == 4.0
            assert f['macro/x'].attrs['units'] == 'm'
            assert f['fields/mask'].dtype == np.uint8
            assert list(f['samples/feature_names'].asstr()[()]) == ['eps_beta', 'φ²']
            assert list(f['macro'].attrs['history']) == [1.0, 0.5]
            big = f['fields/big']
            assert big.chunks is not None and big.compression == 'gzip' and big.shuffle
            assert big.shape == (300, 250) and big[1, 7] == 7.0 and big[()].sum() == 300 * sum(range(250))
        print('ok')
        """
        let python = try #require(CrossCheck.pythonWithH5py(), "no python with h5py: set TISSUE_PYTHON or run `make python-deps`")
        let result = try #require(run(python, ["-c", script]))
        #expect(result.status == 0, "\(result.output)")
        // The HDF5 contract checker, scripts/h5contract.py (DESIGN §5).
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let contract = packageRoot.appendingPathComponent("scripts/h5contract.py").path
        do {
            let check = try #require(run(python, [contract, path]))
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test(CrossCheck.needs(CrossCheck.pythonWithH5py() != nil, "h5py"))
    func filesWrittenByH5pyAreRead() throws {
        let dir = try TempDirectory()
        for libver in ["earliest", "latest"] {
            let path = dir.path("h5py-\(libver).h5")
            // HDF5 2.0's newest chunk layout (libver='latest') is unreadable by 1.10.8; the
            // error for that case is checked in chunkedLatestFormatFromH5pyIsReadOrRefusedCleanly.
            // (So is its newest enum datatype message, used for numpy bools.)
            let earliest = libver == "earliest"
            let chunking = earliest ? "chunks=(1, 3), compression='gzip', shuffle=True" : "chunks=None"
            let script = """
            import h5py, numpy as np
            with h5py.File('\(path)', 'w', libver='\(libver)') as f:
                f.attrs['format'] = 'tissue-transport'
                f.attrs['format_version'] = 1
                f.attrs['kind'] = np.bytes_('model')
                f.attrs['program_version'] = 'python'
                f.attrs['config'] = 'a = 1\\n'
                f.attrs['seed'] = np.uint64(2**64 - 1)
                f.attrs['w'] = np.array([0.25])
                d = f.create_dataset('model/layers/0/W', data=np.arange(6, dtype=np.float32).reshape(2, 3),
                                     \(chunking))
                d.attrs['units'] = '1'
                f['model/feature_names'] = np.array(['eps', 'φ²'], dtype=h5py.string_dtype())
                f['model/fixed'] = np.array([b'ab', b'c'])
                f['model/flags'] = np.array([True, False]) if \(earliest ? "True" : "False") else np.zeros(2, np.int8)
                f['model/n'] = np.int64(5)
            """
            let python = try #require(CrossCheck.pythonWithH5py(), "no python with h5py: set TISSUE_PYTHON or run `make python-deps`")
            let result = try #require(run(python, ["-c", script]))
            try #require(result.status == 0, "\(result.output)")

            let file = try HDF5File.open(path)
            let header = try FileHeader.read(from: file, expecting: "model")
            #expect(header.seed == UInt64.max)
            #expect(header.config == "a = 1\n")
            #expect(try file.root.doubleAttribute("w") == 0.25)
            let w = try file.root.dataset("model/layers/0/W")
            #expect(w.shape == [2, 3] && w.elementType == .float32)
            #expect(try w.read(Float.self) == [0, 1, 2, 3, 4, 5])
            #expect(try w.read(Double.self) == [0, 1, 2, 3, 4, 5])
            #expect(try file.root.dataset("model/feature_names").readStrings() == ["eps", "φ²"])
            #expect(try file.root.dataset("model/fixed").readStrings() == ["ab", "c"])
            #expect(try file.root.dataset("model/n").shape == [])
            #expect(try file.root.dataset("model/n").read(Int64.self) == [5])
            let flags = try file.root.dataset("model/flags")
            if earliest {
                #expect(flags.elementType == .other("enum of 8-bit signed integer"))
                #expect(hdf5Error { _ = try flags.read(Double.self) }?.message
                    == "expected Double data, found enum of 8-bit signed integer")
            } else {
                #expect(try flags.read(Double.self) == [0, 0])
            }
            #expect(try HDF5Inspector.describe(file).contains("W  float32 (2, 3)"))
        }
    }

    @Test(CrossCheck.needs(CrossCheck.pythonWithH5py() != nil, "h5py"))
    func chunkedLatestFormatFromH5pyIsReadOrRefusedCleanly() throws {
        let dir = try TempDirectory()
        let path = dir.path("latest.h5")
        let script = """
        import h5py, numpy as np
        with h5py.File('\(path)', 'w', libver='latest') as f:
            f.create_dataset('c', data=np.zeros((4, 4)), chunks=(2, 2), compression='gzip')
        """
        let python = try #require(CrossCheck.pythonWithH5py(), "no python with h5py: set TISSUE_PYTHON or run `make python-deps`")
        try #require(run(python, ["-c", script])?.status == 0)
        // Whether 1.10.8 can open it depends on the writer's HDF5 version: either the values are read
        // exactly, or the error names the file; never a crash, never wrong values.
        do {
            let file = try HDF5File.open(path)
            #expect(try file.root.dataset("c").read(Double.self) == [Double](repeating: 0, count: 16))
        } catch let error as HDF5Error {
            #expect(error.file == path)
        }
    }
}
