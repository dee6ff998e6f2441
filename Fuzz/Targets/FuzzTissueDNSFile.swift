/// Fuzz target: reading `dns-tissue` files as `tissue average` does — the header, the grid and the
/// fields (`TissueDNSFile.read`), then the section and window averages and the window η, written
/// to an `average` file (`TissueDNSRun.averageFile`). Inputs: see `Fuzz/Support/HDF5Mutation.swift`.
import Foundation
import HDF5Kit
import Microscale
import Scenario
import Workflows

private let target = HDF5FuzzTarget(
    makeTemplate: { path in
        // A real strip DNS, coarse: one 2 µm brain-like sample of 16 × 16 cells, repeated 4 times.
        let spec = TissueStripSpec(sampleLength: 2e-6, height: 2e-6, copies: 4, gridSpacing: 0.125e-6, geometry: .voronoi(seed: 1),
                                   porosity: 0.35, effectiveRadius: 0.455e-6, intrinsicVelocity: 8.157e-10 / 0.455e-6,
                                   fluidDiffusivity: 1e-10, diffusivityRatio: 0.1, km: 226.3, Ka: 1, inletConcentration: 2)
        let r = try TissueStripDNS.run(spec)
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: TissueDNSFile.kind, programVersion: "fuzz", config: "[tissue]\nname = \"brain\"\n", seed: 1)
                .write(to: file)
            try TissueDNSFile.write(r, geometryDescription: "voronoi, seed 1", to: file)
        }
    },
    read: { path in
        try TissueDNSRun.averageFile(path, windowWidth: nil, to: FuzzSupport.scratch + "/average.h5")
    },
    errorTypes: [])

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] { target.exportSeeds(to: dir, name: "dns-tissue") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTissueDNSFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)), name: "dns-tissue")
    return 0
}
