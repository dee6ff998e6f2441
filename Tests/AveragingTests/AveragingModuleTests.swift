import Testing
@testable import Averaging

@Suite struct AveragingModuleTests {
    @Test func moduleLinks() { _ = AveragingModule.self }
}
