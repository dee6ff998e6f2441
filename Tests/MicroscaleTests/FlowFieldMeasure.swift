@testable import Microscale

/// ⟨v⟩^β measured from a flow field itself, independently of `FlowSolution.intrinsicVelocity`
/// (which divides the flux through the line x = 0 by the tile height and a porosity): the
/// x-velocity at each cell centre (mean of its two faces; 0 inside the cells) integrated over the
/// grid, divided by the fluid area Σ (1 − solid fraction) h².
func measuredIntrinsicVelocity(_ velocity: FaceVelocities, solidFraction: [Double]) -> Double {
    let g = velocity.grid
    precondition(solidFraction.count == g.cellCount)
    var integral = 0.0, fluidArea = 0.0
    for j in 0..<g.ny {
        for i in 0..<g.nx {
            integral += 0.5 * (velocity.u[j * (g.nx + 1) + i] + velocity.u[j * (g.nx + 1) + i + 1]) * g.h * g.h
            fluidArea += (1 - solidFraction[j * g.nx + i]) * g.h * g.h
        }
    }
    return integral / fluidArea
}
