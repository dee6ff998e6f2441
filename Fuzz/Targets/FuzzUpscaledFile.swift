/// Fuzz target: reading `upscaled` files — the root header (`FileHeader.read(expecting:)`), the
/// whole tree as `tissue inspect` prints it (`HDF5Inspector.describe`), and every `/macro`
/// dataset as numbers or strings (what scripts and comparisons read). Inputs: see
/// `Fuzz/Support/HDF5Mutation.swift`.
import Foundation
import HDF5Kit
import Macroscale
import Scenario
import Workflows

private let target = HDF5FuzzTarget(
    makeTemplate: { path in
        // A real `tissue run` of a 6-cell transient brain strip with a constant closure.
        let tissue = FuzzSupport.write(Array(FuzzSupport.tissueText.utf8), to: "upscaled-tissue.toml")
        let scenario = try ScenarioLoader.load(text: FuzzSupport.smallTransientScenario(tissueFile: tissue), path: FuzzSupport.scratch + "/upscaled.toml")
        let run = try UpscaledRun(scenario: scenario)
        try run.write(try run.solve(), to: path)
    },
    read: { path in
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        try FileHeader.read(from: file, expecting: UpscaledFile.kind)
        _ = try HDF5Inspector.describe(file)
        let macro = try file.root.group("macro")
        for name in try macro.childNames() where try macro.kind(of: name) == .dataset {
            let d = try macro.dataset(name)
            if d.elementType == .string { _ = try d.readStrings() } else { _ = try d.read(Double.self) }
            _ = try? d.stringAttribute("units")
        }
    },
    errorTypes: [])

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] { target.exportSeeds(to: dir, name: "upscaled") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpscaledFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)), name: "upscaled")
    return 0
}
