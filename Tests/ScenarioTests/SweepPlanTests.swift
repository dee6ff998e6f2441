import Foundation
import Testing
@testable import Config
@testable import Scenario

/// The sweep plan: `--vary` axes, their points and units, and the grid product.
@Suite struct SweepPlanTests {
    let brain = packageRoot + "/examples/brain.toml"

    @Test func logRangeIsGeometricWithExactEnds() throws {
        let axis = try SweepAxis.parse("tissue.peclet=1:100:5:log")
        #expect(axis.key == "tissue.peclet")
        #expect(axis.values.count == 5)
        #expect(axis.values.first == 1 && axis.values.last == 100)
        for (v, e) in zip(axis.values, [1, 3.1622776601683795, 10, 31.622776601683793, 100]) {
            #expect(abs(v - e) <= 1e-12 * e)
        }
        // Ratios are constant.
        for i in 1..<4 { #expect(abs(axis.values[i + 1] / axis.values[i] - axis.values[1] / axis.values[0]) < 1e-12) }
        // The override text is the SI number itself.
        #expect(axis.texts.map { Double($0)! } == axis.values)
    }

    @Test func linearRangesListsAndUnits() throws {
        let lin = try SweepAxis.parse("solver.max_iterations=10:50:5")
        #expect(lin.texts == ["10", "20", "30", "40", "50"])   // integer ends and points stay integers
        #expect(lin.values == [10, 20, 30, 40, 50])
        let length = try SweepAxis.parse("tissue.effective_radius=0.4 um:0.5 um:3")
        #expect(length.units == "m")
        #expect(abs(length.values[1] - 0.45e-6) < 1e-18 && length.values[0] == 0.4e-6 && length.values[2] == 0.5e-6)
        #expect(length.texts[0] == "\"4e-07 m\"")
        let list = try SweepAxis.parse("tissue.cL=1 mol/m^3, \"2 mol/m^3\",3")
        #expect(list.values == [1, 2, 3] && list.units == "mol m-3")
        #expect(list.texts == ["1 mol/m^3", "\"2 mol/m^3\"", "3"])
    }

    @Test func gridProductFirstAxisSlowest() throws {
        let plan = SweepPlan(axes: [try SweepAxis.parse("tissue.peclet=1,2,3"), try SweepAxis.parse("tissue.Dr=0.1,0.2")])
        #expect(plan.count == 6)
        #expect((0..<6).map { plan.values(of: $0) } == [[1, 0.1], [1, 0.2], [2, 0.1], [2, 0.2], [3, 0.1], [3, 0.2]])
        #expect(plan.overrides(of: 3) == ["tissue.peclet=2", "tissue.Dr=0.2"])
        #expect(plan.toml.contains("vary = [\"tissue.peclet=1,2,3\", \"tissue.Dr=0.1,0.2\"]"))
    }

    @Test(arguments: [
        ("tissue.peclet=1:100:1", "n = 1"),
        ("tissue.peclet=100:1:5", "is not below hi"),
        ("tissue.peclet=0:100:5:log", "log spacing needs lo > 0"),
        ("tissue.peclet=1:100:x", "not an integer"),
        ("tissue.peclet=1:100:5:cubic", "expected `log`"),
        ("tissue.peclet", "expected section.key="),
        ("tissue.peclet=1,,3", "empty value"),
        ("tissue.peclet=fast", "not a number"),
        ("tissue.cL=1 mol/m^3:20 um:3", "but hi"),
    ])
    func badSpecsAreRefused(spec: String, message: String) {
        #expect {
            _ = try SweepAxis.parse(spec)
        } throws: { error in
            let text = "\(error)"
            return text.contains(message) && text.contains(spec)
        }
    }

    /// Values of another dimension than the key's, or fractions for an integer key, are refused before
    /// any run (they would fail every run at load time).
    @Test func axesOfTheWrongKindAreRefusedUpFront() {
        #expect {
            _ = try SweepPlan.load(config: brain, vary: ["tissue.velocity=1 um,2 um"])
        } throws: { "\($0)".contains("tissue.velocity is a velocity") }
        #expect {
            _ = try SweepPlan.load(config: brain, vary: ["solver.max_iterations=10:50:4"])
        } throws: { "\($0)".contains("is an integer") }
    }

    @Test func keysAreCheckedLikeSetAndUnitsComeFromTheKeyDeclarations() throws {
        #expect {
            _ = try SweepPlan.load(config: brain, vary: ["tissue.pecelt=1:10:3"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("tissue.pecelt=1:10:3") && text.contains("did you mean") && text.contains("peclet")
        }
        #expect {
            _ = try SweepPlan.load(config: brain, vary: ["grid.cells=10,20"])
        } throws: { "\($0)".contains("share one grid") }
        #expect {
            _ = try SweepPlan.load(config: brain, vary: ["tissue.peclet=1,2", "tissue.peclet=3"])
        } throws: { "\($0)".contains("already varied") }
        // tissue.km is declared as a reaction rate: a plain-number axis is SI in its units.
        let (plan, output) = try SweepPlan.load(config: brain, vary: ["tissue.km=100,200", "tissue.peclet=1,2"])
        #expect(plan.axes.map(\.units) == ["mol m-3 s-1", "1"])
        #expect(output == nil)
        let example = try SweepPlan.load(config: packageRoot + "/examples/sweep-brain-peclet.toml", vary: [])
        #expect(example.plan.count == 20 && example.output == "results/sweep-brain-peclet.h5")
    }
}
