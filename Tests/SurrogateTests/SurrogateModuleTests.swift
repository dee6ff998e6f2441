import Testing
@testable import Surrogate

@Suite struct SurrogateModuleTests {
    @Test func moduleLinks() { _ = SurrogateModule.self }
}
