import Config
import Microscale

/// The unit-cell family options shared by `tissue dns unitcell` and `tissue dispersion`
/// (`--geometry circle-row|hexagonal|voronoi|mask`, and the options of the Voronoi and mask families).
public struct UnitCellGeometryRequest: Sendable, Equatable {
    /// One of `UnitCellFamily.names`.
    public var geometry = "circle-row"
    /// Cells per Voronoi tile.
    public var voronoiCells = 8
    /// Coefficient of variation of the Voronoi cells' areas (0: the plain recipe).
    public var cellAreaSpread = 0.0
    /// Segmented image (HDF5 uint8 dataset, PGM or PNG) for `mask`.
    public var mask: String?
    /// Dataset of an HDF5 mask.
    public var maskDataset = "mask"
    /// Pixel size of the mask, a length with units ("0.5 um") or a number in m.
    public var pixelSize: String?
    /// Window side (pixels) of the mask family.
    public var window = 64
    /// Image pixels darker than half the grey range are cells (default: brighter ones).
    public var cellsAreDark = false

    public init() {}

    /// Whether any option of a family other than the circle row was given.
    var isDefault: Bool { self == UnitCellGeometryRequest() }

    /// The family, with the mask loaded; errors name the option.
    public func family() throws -> UnitCellFamily {
        guard UnitCellFamily.names.contains(geometry) else {
            throw WorkflowError("--geometry '\(geometry)': expected one of \(UnitCellFamily.names.joined(separator: ", "))")
        }
        if geometry != "voronoi", cellAreaSpread != 0 {
            throw WorkflowError("--cell-area-spread is only used with --geometry voronoi")
        }
        if geometry != "mask", mask != nil || pixelSize != nil {
            throw WorkflowError("--mask and --pixel-size are only used with --geometry mask")
        }
        switch geometry {
        case "circle-row": return .circleRow
        case "hexagonal": return .hexagonal
        case "voronoi":
            guard voronoiCells >= 2 && voronoiCells <= 64 else {
                throw WorkflowError("--voronoi-cells \(voronoiCells): expected 2…64 cells per tile")
            }
            guard cellAreaSpread >= 0 && cellAreaSpread <= 2 else {
                throw WorkflowError("--cell-area-spread \(cellAreaSpread): expected a coefficient of variation in 0…2")
            }
            return .voronoi(cells: voronoiCells, areaSpread: cellAreaSpread)
        default:
            guard let mask else { throw WorkflowError("--geometry mask needs --mask FILE (HDF5 uint8 dataset, PGM or PNG)") }
            guard let pixelSize else {
                throw WorkflowError("--geometry mask needs --pixel-size (the side of one pixel, e.g. 0.5um): \(mask) does not say how large its pixels are")
            }
            let pixel: Double
            do {
                if let plain = Double(pixelSize) { pixel = plain } else { pixel = try Units.value(of: pixelSize, expecting: .length) }
            } catch { throw WorkflowError("--pixel-size '\(pixelSize)': \(error)") }
            guard pixel > 0 && pixel.isFinite else { throw WorkflowError("--pixel-size \(pixelSize): expected a positive length") }
            let image = try TissueMaskImport.load(path: mask, dataset: maskDataset, pixelSize: pixel, cellsAreDark: cellsAreDark)
            return .mask(try UnitCellMask(image: image, source: mask, window: window))
        }
    }

    /// The lines of a campaign identity that name the geometry (none for the circle row).
    func identityLines(_ family: UnitCellFamily) -> String {
        switch family {
        case .circleRow: return ""
        case .hexagonal: return "\ngeometry = \"hexagonal\""
        case .voronoi(let n, let spread):
            return "\ngeometry = \"voronoi\"\nvoronoi_cells = \(n)" + (spread > 0 ? "\ncell_area_spread = \(spread)" : "")
        case .mask(let m):
            return "\ngeometry = \"mask\"\nmask = \"\(m.source)\"\nmask_dataset = \"\(maskDataset)\"\npixel_size = \(m.image.pixelSize)\nwindow = \(m.window)\ncells_are_dark = \(cellsAreDark)"
        }
    }
}
