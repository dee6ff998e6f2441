import Foundation

/// Inputs of one unit-cell realisation (the reference's five sampled parameters) and the
/// constants of DESIGN §2: Dβ = 1e-10 m² s⁻¹, Ka = 1 mol m⁻³, μ = 1e-3 Pa s.
public struct UnitCellInputs: Sendable, Equatable {
    /// Cell radius r (m); r_eff of a non-circular unit cell.
    public var radius: Double
    /// εβ of the unit cell (the circle row's 1 − π r² / 4.5 µm² unless given).
    public var porosity: Double
    /// φ² = km r² / (Ka Dβ).
    public var thieleModulusSquared: Double
    /// Pressure drop PL across the 15 µm row (Pa).
    public var pressureDrop: Double
    /// Dr = Dσ / Dβ.
    public var diffusivityRatio: Double
    /// Inlet concentration cL (mol m⁻³).
    public var inletConcentration: Double
    public var diffusivityBeta: Double = 1e-10
    public var Ka: Double = 1
    public var viscosity: Double = 1e-3

    public init(radius: Double, thieleModulusSquared: Double, pressureDrop: Double, diffusivityRatio: Double,
                inletConcentration: Double, porosity: Double? = nil) {
        self.radius = radius
        self.porosity = porosity ?? UnitCellRow.porosity(radius: radius)
        self.thieleModulusSquared = thieleModulusSquared
        self.pressureDrop = pressureDrop
        self.diffusivityRatio = diffusivityRatio
        self.inletConcentration = inletConcentration
    }

    /// km = φ² Ka Dβ / r² (mol m⁻³ s⁻¹).
    public var km: Double { thieleModulusSquared * Ka * diffusivityBeta / (radius * radius) }
    /// (r, φ², PL, Dr, cL), the `/samples/inputs` row.
    public var row: [Double] { [radius, thieleModulusSquared, pressureDrop, diffusivityRatio, inletConcentration] }

    /// Checks ranges for the circle row (r below the radius where its circles touch); the error
    /// names the field and value.
    public func validate() throws {
        let maxRadius = UnitCellRow.largestRadius()   // circles touch at r = 3/(2√2) µm
        guard radius > 0 && radius < maxRadius else {
            throw UnitCellInputError(message: "r = \(radius) m: expected 0 < r < \(maxRadius) m (larger cells overlap)")
        }
        try validateGroups()
    }

    /// Checks the ranges of φ², PL, Dr and cL (any unit cell).
    public func validateGroups() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw UnitCellInputError(message: what) } }
        try check(radius > 0 && radius.isFinite, "r = \(radius) m: expected > 0")
        try check(porosity > 0 && porosity < 1, "porosity = \(porosity): expected 0 < porosity < 1")
        try check(thieleModulusSquared >= 0 && thieleModulusSquared.isFinite, "phi2 = \(thieleModulusSquared): expected ≥ 0")
        try check(pressureDrop >= 0 && pressureDrop.isFinite, "PL = \(pressureDrop) Pa: expected ≥ 0")
        try check(diffusivityRatio > 0 && diffusivityRatio.isFinite, "Dr = \(diffusivityRatio): expected > 0")
        try check(inletConcentration > 0 && inletConcentration.isFinite, "cL = \(inletConcentration) mol/m^3: expected > 0")
    }
}

public struct UnitCellInputError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A row of an inputs table, with the reference's results when the table is the COMSOL output.
public struct UnitCellTableRow: Sendable {
    /// 0-based data row in the file.
    public var index: Int
    public var inputs: UnitCellInputs
    /// Reference porosity, Pe, ⟨c⟩^β (5 domains), gradient features (5), η (5), if present.
    public var referencePorosity: Double?
    public var referencePeclet: Double?
    public var referenceConcentration: [Double]?
    public var referenceGradient: [Double]?
    public var referenceEta: [Double]?
}

/// Reads unit-cell inputs: either the reference COMSOL table (`%` comment lines, 24 columns:
/// r, phi2, PL, Dr, cL, porosity, φ, Pe, ⟨c⟩ 1–5, gradient 1–5, η 1–5) or a CSV whose header is
/// `r,phi2,PL,Dr,cL` (SI units). `rows` selects 0-based data rows (all if nil).
public func readUnitCellTable(path: String, rows: [Int]? = nil) throws -> [UnitCellTableRow] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UnitCellInputError(message: "\(path): cannot read the inputs table (missing or unreadable)")
    }
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    let comsol = lines.first?.hasPrefix("%") ?? false
    var dataLines: [(line: Int, text: String)] = []
    var sawHeader = comsol
    for (n, line) in lines.enumerated() {
        let t = line.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || t.hasPrefix("%") || t.hasPrefix("#") { continue }
        if !sawHeader {
            let names = t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard Array(names.prefix(5)) == ["r", "phi2", "PL", "Dr", "cL"] else {
                throw UnitCellInputError(message: "\(path):\(n + 1): header \(names) must start with r,phi2,PL,Dr,cL")
            }
            sawHeader = true
            continue
        }
        dataLines.append((n + 1, t))
    }
    let selected = rows ?? Array(0..<dataLines.count)
    return try selected.map { k in
        guard k >= 0, k < dataLines.count else {
            throw UnitCellInputError(message: "\(path): row \(k) does not exist (the table has \(dataLines.count) data rows)")
        }
        let (n, text) = dataLines[k]
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = try fields.enumerated().map { (col, f) -> Double in
            guard let v = Double(f.trimmingCharacters(in: .whitespaces)) else {
                throw UnitCellInputError(message: "\(path):\(n): column \(col + 1) '\(f)' is not a number")
            }
            return v
        }
        let needed = comsol ? 24 : 5
        guard values.count >= needed else {
            throw UnitCellInputError(message: "\(path):\(n): \(values.count) columns, expected \(needed)")
        }
        let inputs = UnitCellInputs(radius: values[0], thieleModulusSquared: values[1], pressureDrop: values[2],
                                    diffusivityRatio: values[3], inletConcentration: values[4])
        do { try inputs.validate() } catch let e as UnitCellInputError {
            throw UnitCellInputError(message: "\(path):\(n): \(e.message)")
        }
        var row = UnitCellTableRow(index: k, inputs: inputs)
        if comsol {
            row.referencePorosity = values[5]
            row.referencePeclet = values[7]
            row.referenceConcentration = Array(values[9..<14])
            row.referenceGradient = Array(values[14..<19])
            row.referenceEta = Array(values[19..<24])
        }
        return row
    }
}
