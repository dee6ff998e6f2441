// swift-tools-version: 6.0
// TissueTransport: coupled macroscale tissue-transport simulator (see README.md).
import PackageDescription

let package = Package(
    name: "TissueTransport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tissue", targets: ["TissueCLI"]),
        .library(name: "TissueTransport", targets: ["Macroscale", "Microscale", "Averaging", "Surrogate", "Closure", "NeuralNet", "Numerics", "HDF5Kit", "Plotting", "Config", "Scenario", "Workflows"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: System libraries (module map + shim.h)
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSuiteSparse", providers: [.apt(["libsuitesparse-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSundials", providers: [.apt(["libsundials-dev"])]),   // CVODES: error-controlled BDF

        // MARK: Foundations
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        .target(name: "Numerics", dependencies: ["CSuiteSparse"]),
        .target(name: "NeuralNet", dependencies: ["CBLAS", "HDF5Kit", "Numerics"]),
        .target(name: "Plotting"),   // SVG figures: axes, panels, heat maps, colour ramps; imports Foundation only

        // MARK: Physics
        .target(name: "Closure", dependencies: ["NeuralNet", "Numerics", "HDF5Kit"]),
        .target(name: "Macroscale", dependencies: ["Closure", "Numerics", "HDF5Kit", "CSundials"]),
        .target(name: "Microscale", dependencies: ["Closure", "Numerics", "HDF5Kit", "CZlib"]),
        .target(name: "Averaging", dependencies: ["Closure", "Numerics", "HDF5Kit"]),
        .target(name: "Surrogate", dependencies: ["NeuralNet", "Numerics", "HDF5Kit", "CSuiteSparse"]),

        // MARK: Configuration and command line
        .target(name: "Config"),   // TOML, units, diagnostics: imports Foundation only
        .target(name: "Scenario", dependencies: ["Config", "Macroscale", "Microscale", "Averaging", "Surrogate", "Closure", "NeuralNet", "Numerics"]),
        // One library call per subcommand; owns file writing, progress reporting and stop handling.
        .target(name: "Workflows", dependencies: ["Scenario", "Config", "Macroscale", "Microscale", "Averaging", "Surrogate",
                                                  "Closure", "NeuralNet", "Numerics", "HDF5Kit", "Plotting"]),
        // The `tissue` executable: argument parsing and printing only.
        .executableTarget(name: "TissueCLI", dependencies: [
            "Workflows", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Benchmarks (driven by bench/*.sh; not part of the shipped product)
        .executableTarget(name: "tissue-bench", dependencies: ["Macroscale", "Microscale", "Closure", "NeuralNet", "Numerics", "HDF5Kit", "Surrogate", "Scenario", "Workflows"],
                          path: "bench/Sources/tissue-bench"),

        // MARK: Tests (one target per module; end-to-end CLI tests in TissueCLITests)
        .testTarget(name: "HDF5KitTests", dependencies: ["HDF5Kit"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "HDF5Kit", "Numerics"]),
        .testTarget(name: "ClosureTests", dependencies: ["Closure", "NeuralNet", "HDF5Kit"]),
        .testTarget(name: "MacroscaleTests", dependencies: ["Macroscale", "Closure", "Numerics"]),
        .testTarget(name: "MicroscaleTests", dependencies: ["Microscale", "Closure", "Numerics"]),
        .testTarget(name: "AveragingTests", dependencies: ["Averaging", "Numerics", "HDF5Kit"]),
        .testTarget(name: "SurrogateTests", dependencies: ["Surrogate", "NeuralNet", "Numerics", "HDF5Kit"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Config"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "Scenario", "Macroscale", "HDF5Kit"]),
        .testTarget(name: "TissueCLITests", dependencies: ["HDF5Kit", "TissueCLI"], exclude: ["StoredResults"]),
    ]
)
