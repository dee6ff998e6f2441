import Foundation
import Testing
@testable import Workflows

/// A reporter whose user has already asked to stop (the first SIGINT/SIGTERM).
private final class StoppingReporter: WorkflowReporter {
    func status(_ message: String) {}
    func note(_ message: String) {}
    func warning(_ message: String) {}
    func beginProgress(_ label: String, total: Int) {}
    func progress(_ done: Int, detail: String) {}
    var stopRequested: Bool { true }
    var wantsLogLines: Bool { false }
}

/// `tissue average` and `tissue compare` stop cleanly: a stop request that arrives while they
/// compute leaves no output (issue 28 item 4); without one they write it.
@Suite struct StopBeforeWritingTests {
    private let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test func averageAndCompareWriteNothingWhenStopped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = root + "/examples/validate-brain.toml"
        let dns = dir + "/dns.h5"
        _ = try TissueDNSWorkflow.run(.init(config: config, seed: 1, output: dns,
                                            overrides: ["dns.grid_spacing=\"0.08 um\"", "dns.copies=2"]),
                                      reporter: SilentReporter())
        let average = dir + "/average.h5"
        #expect(throws: WorkflowStopped.self) {
            try AverageWorkflow.run(dns: dns, windowWidth: nil, output: average, policy: OutputPolicy(), reporter: StoppingReporter())
        }
        #expect(!FileManager.default.fileExists(atPath: average))
        _ = try AverageWorkflow.run(dns: dns, windowWidth: nil, output: average, policy: OutputPolicy(), reporter: SilentReporter())
        #expect(FileManager.default.fileExists(atPath: average))

        let comparison = dir + "/comparison.h5", plot = dir + "/comparison.svg"
        let request = CompareWorkflow.Request(a: average, b: average, skipInlet: true, filterWindow: false, average: .window,
                                              plot: plot, output: comparison, policy: OutputPolicy())
        #expect(throws: WorkflowStopped.self) { try CompareWorkflow.run(request, reporter: StoppingReporter()) }
        #expect(!FileManager.default.fileExists(atPath: comparison) && !FileManager.default.fileExists(atPath: plot))
        _ = try CompareWorkflow.run(request, reporter: SilentReporter())
        #expect(FileManager.default.fileExists(atPath: comparison) && FileManager.default.fileExists(atPath: plot))
    }
}
