import Foundation
import HDF5Kit
import Testing

/// A fresh directory under the system temporary directory, removed when the test ends.
final class TempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("HDF5KitTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` and returns the HDF5Error it throws (records an issue if it throws nothing or something else).
func hdf5Error(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> HDF5Error? {
    do {
        try body()
        Issue.record("expected an HDF5Error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HDF5Error {
        return error
    } catch {
        Issue.record("expected an HDF5Error, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Runs an external program; nil if it cannot be started.
func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
