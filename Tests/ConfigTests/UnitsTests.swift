import Testing
@testable import Config

@Suite struct UnitsTests {
    @Test(arguments: [
        ("20 um", Dimension.length, 2e-5),
        ("20um", .length, 2e-5),
        ("0.47 µm", .length, 4.7e-7),
        ("0.47 μm", .length, 4.7e-7),
        ("680 um", .length, 6.8e-4),
        ("1.5 cm", .length, 0.015),
        ("3 nm", .length, 3e-9),
        ("1e-10 m^2/s", .diffusivity, 1e-10),
        ("1e-10 m2 s-1", .diffusivity, 1e-10),
        ("1e-10 m²/s", .diffusivity, 1e-10),
        ("100 um^2/s", .diffusivity, 1e-10),
        ("226.3 mol/m^3/s", .reactionRate, 226.3),
        ("226.3 mol m-3 s-1", .reactionRate, 226.3),
        ("226.3 mol*m^-3*s^-1", .reactionRate, 226.3),
        ("226.3 mol/m^3/min", .reactionRate, 226.3 / 60),
        ("2 mol m-3", .concentration, 2),
        ("2 mol/m^3", .concentration, 2),
        ("2 mmol/L", .concentration, 2),
        ("2 mol m⁻³", .concentration, 2),
        ("0.5 ms", .time, 5e-4),
        ("1 min", .time, 60),
        ("2 h", .time, 7200),
        ("5 s", .time, 5),
        ("10 Pa", .pressure, 10),
        ("1 kPa", .pressure, 1000),
        ("1 N/m^2", .pressure, 1),
        ("1 kg/m/s^2", .pressure, 1),
        ("1 g m-1 s-2", .pressure, 1e-3),
        ("0.74", .dimensionless, 0.74),
        ("0.74 1", .dimensionless, 0.74),
        ("1 mm/s", .velocity, 1e-3),
    ] as [(String, Dimension, Double)])
    func quantitiesConvertToSI(text: String, dimension: Dimension, expected: Double) throws {
        let value = try Units.value(of: text, expecting: dimension)
        #expect(abs(value - expected) <= 1e-15 * abs(expected), "\(text) -> \(value)")
    }

    @Test func decimalPrefixesGiveTheNearestDouble() throws {
        // Applied to the decimal text, so no multiplication round-off: exactly the literal.
        #expect(try Units.value(of: "20 um", expecting: .length) == 2e-5)
        #expect(try Units.value(of: "0.47 um", expecting: .length) == 4.7e-7)
        #expect(try Units.value(of: "11.67 um", expecting: .length) == 1.167e-5)
        #expect(try Units.value(of: "226.34676324128571 mol/m^3/s", expecting: .reactionRate) == 226.34676324128571)
    }

    @Test func dimensionsPrintInUDUNITSForm() {
        #expect(Dimension.concentration.description == "mol m-3")
        #expect(Dimension.reactionRate.description == "mol m-3 s-1")
        #expect(Dimension.diffusivity.description == "m2 s-1")
        #expect(Dimension.pressure.description == "kg m-1 s-2")
        #expect(Dimension.dimensionless.description == "1")
        #expect(Dimension.length.phrase == "a length (m)")
    }

    @Test(arguments: [
        ("3 furlong", "unknown unit `furlong`"),
        ("2 mol/m^3/fortnight", "unknown unit `fortnight`"),
        ("5 kmin", "unknown unit `kmin`"),
        ("20 um/", "`/` must be followed by a unit"),
        ("20 m^", "integer exponent"),
        ("abc", "does not start with a number"),
        ("1 m//s", "`/` must come between two units"),
    ])
    func badUnitsAreRejected(text: String, fragment: String) {
        #expect {
            _ = try Units.value(of: text, expecting: .length)
        } throws: { error in
            guard let e = error as? UnitError else { return false }
            return e.message.contains(fragment)
        }
    }

    @Test func wrongDimensionNamesExpectedAndGiven() {
        #expect {
            _ = try Units.value(of: "2 mol/m^3", expecting: .length)
        } throws: { error in
            (error as? UnitError)?.message == "expected a length (m), got mol m-3"
        }
        #expect {
            _ = try Units.value(of: "1e-10 m^2", expecting: .diffusivity)
        } throws: { error in
            (error as? UnitError)?.message == "expected a diffusivity (m2 s-1), got m2"
        }
    }
}
