import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// `EffectiveDispersion` (UpscaledProblem.swift): the D*(Pe) table.
@Suite struct DispersionTests {
    /// Monotone cubic through the reference D*(Pe) table reproduces the reference spline's
    /// brain and liver values (6.86972e-11, 3.67892e-10 m²/s; reference README) within 1 %.
    @Test func tableInterpolation() throws {
        let pe = [0.009998787951968346, 0.09998787947504965, 0.9998787902870028, 1.9997575706546924, 3.9995151016293775,
                  7.999030044516412, 15.998059453885775, 31.996116365760678, 63.992222552098795, 127.98440429547064,
                  511.93662757678453]
        let d = [3.4009288936739576E-11, 3.40704914145667E-11, 3.8799709124853754E-11, 4.585974065394208E-11,
                 5.520266787820075E-11, 6.818659869728571E-11, 9.940899959629335E-11, 1.954691517544738E-10,
                 4.870583905379863E-10, 1.286718225072356E-9, 8.359120308619822E-9]
        let table = try EffectiveDispersion.table(peclet: pe, coefficient: d)
        #expect(abs(table.coefficient(atPeclet: 8.15732074795076) / 6.86972e-11 - 1) < 0.01)
        #expect(abs(table.coefficient(atPeclet: 52.2210168759) / 3.67892e-10 - 1) < 0.01)
    }
}
