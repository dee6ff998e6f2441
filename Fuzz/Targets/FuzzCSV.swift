/// Fuzz target: the CSV table readers — the reference training table
/// (`TrainingSet.readReferenceCSV`) and the unit-cell inputs table (`readUnitCellTable`, plain
/// `r,phi2,PL,Dr,cL` CSV or the COMSOL output with `%` comments).
///
/// Input: byte 0 chooses the reader (even: training CSV; odd: unit-cell table, with bit 1
/// asking for a row selection given by byte 1 and 2 as signed row numbers); the rest is the file.
/// Accepted: rows, or the reader's error naming the file and the problem.
import Closure
import Foundation
import Microscale

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 3 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mode = bytes[0]
    if mode % 2 == 0 {
        let path = FuzzSupport.write(bytes.dropFirst(), to: "table.csv")
        do {
            let set = try TrainingSet.readReferenceCSV(path: path)
            precondition(set.count > 0 && set.features.count == set.count * TrainingSet.width)
            precondition(set.eta.allSatisfy { $0 > 0 && $0 <= 1.5 })
        } catch {
            FuzzSupport.checkRejection(error, file: path, allowed: [TrainingSetError.self])
        }
    } else {
        let rows: [Int]? = mode & 2 == 0 ? nil : [Int(Int8(bitPattern: bytes[1])), Int(Int8(bitPattern: bytes[2]))]
        let path = FuzzSupport.write(bytes.dropFirst(3), to: "inputs.csv")
        do {
            let table = try readUnitCellTable(path: path, rows: rows)
            for row in table { try row.inputs.validate() }
        } catch {
            FuzzSupport.checkRejection(error, file: path, allowed: [UnitCellInputError.self])
        }
    }
    return 0
}
