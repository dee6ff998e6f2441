import Foundation

/// Runs the built `tissue` executable (it sits beside the test bundle in the build directory).
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The process died of a signal it did not handle (then `status` is the signal number).
    var killedBySignal = false
    /// Wall time from start to exit (s).
    var seconds = 0.0
}

enum CLI {
    /// Repository root, from this file's location (Tests/TissueCLITests/…).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var executable: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // Inside an .xctest bundle directory on some platforms: walk up until `tissue` appears.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("tissue")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/tissue")
    }

    /// Runs `tissue args…` in `directory` (default: the repository root); with `signal`, sends it
    /// that signal `after` seconds (a stop request to a long run).
    /// `environment` adds variables to the inherited environment.
    static func run(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    signal: Int32? = nil, after seconds: Double = 0) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = directory ?? root
        let out = Pipe(), err = Pipe()
        let start = Date()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let signal {
            Thread.sleep(forTimeInterval: seconds)
            kill(process.processIdentifier, signal)
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self),
                         killedBySignal: process.terminationReason == .uncaughtSignal,
                         seconds: Date().timeIntervalSince(start))
    }

    /// Runs `tissue args…` and sends it `signal` while it works, so that a test of a clean stop
    /// always sees one, whatever the machine's load: the first attempt signals after 0.4 ×
    /// `duration` (an uninterrupted run's wall time); a run that finished first is repeated with
    /// half the delay, one that died of the signal before it had installed its handler with twice
    /// the delay (`paths` are removed before each repeat). Returns the first run that was stopped
    /// by its handler (or the last attempt).
    static func runStopped(_ args: [String], signal: Int32, duration: Double, removing paths: [String]) throws -> CLIResult {
        var delay = 0.4 * duration
        var result = CLIResult(status: 0, stdout: "", stderr: "")
        for _ in 0..<6 {
            result = try run(args, signal: signal, after: delay)
            if result.status == 0 {
                delay /= 2
            } else if result.killedBySignal {
                delay *= 2
            } else {
                return result
            }
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
        }
        return result
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tissue-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A Python interpreter with h5py, if there is one: $TISSUE_PYTHON, the repo's .venv, or python3.
    /// The interpreter with h5py that `make test` (and so CI) provides in .venv; the test fails,
    /// naming the fix, when there is none.
    static func requireH5py() throws -> String {
        guard let python = pythonWithH5py else {
            throw MissingTool(description: "no python3 with h5py and numpy: run the suite with `make test`, which installs them into .venv")
        }
        return python
    }

    /// ParaView's pvpython, an optional tool (Debian packages paraview, python3-paraview). The one optional
    /// tool that TISSUE_REQUIRE_OPTIONAL=1 (.ci/run) does not require: on Debian bookworm `apt-get install
    /// paraview` pulls 235 packages (Qt, OpenMPI, GDAL; ~440 MB installed), too heavy for CI, so the test
    /// that needs it stays a visible skip. (h5py is not optional here: `requireH5py` always fails without it.)
    static let pvpython: String? = ["/usr/bin/pvpython", "/usr/local/bin/pvpython"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    struct MissingTool: Error, CustomStringConvertible { var description: String }

    static var pythonWithH5py: String? {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["TISSUE_PYTHON"] { candidates.append(p) }
        candidates.append(root.appendingPathComponent(".venv/bin/python").path)
        candidates.append("/usr/bin/env")
        for c in candidates {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: c)
            p.arguments = (c == "/usr/bin/env" ? ["python3"] : []) + ["-c", "import h5py, numpy"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return c == "/usr/bin/env" ? "python3" : c }
        }
        return nil
    }
}
