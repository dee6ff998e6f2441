import Foundation
import Averaging
import HDF5Kit
import Macroscale

/// Profiles for `tissue compare`: an `upscaled` file, an `average` file (window or section
/// average) or a reference CSV, each read by its own file kind's reader.
public enum ProfileFiles {
    /// File kinds that hold a 1-D profile.
    public static let profileKinds = [UpscaledFile.kind, AverageFile.kind]

    public static func load(_ path: String, variant: AverageVariant = .window) throws -> Profile {
        if path.lowercased().hasSuffix(".csv") { return try ProfileLoader.loadCSV(path) }
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error(file: path, message: "no such file")
        }
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file)
        switch header.kind {
        case UpscaledFile.kind:
            let u = try UpscaledFile.readProfile(from: file)
            return Profile(x: u.x, c: u.c, eta: u.eta, label: "upscaled", source: path, kind: "upscaled",
                           effectiveRadius: u.cellRadius, length: u.length)
        case AverageFile.kind:
            let a = try AverageFile.read(from: file)
            return Profile(x: a.x, c: variant == .window ? a.window : a.section, eta: variant == .window ? a.windowEta : nil,
                           label: variant == .window ? "DNS window average (w = \(String(format: "%.3g", a.windowWidth * 1e6)) µm)" : "DNS section average",
                           source: path, kind: "average", effectiveRadius: a.effectiveRadius, length: a.length,
                           windowWidth: a.windowWidth)
        case "dns-tissue":
            throw HDF5Error(file: path, message: "file is a 'dns-tissue' file, expected an 'upscaled' or 'average' file (run `tissue average \(path)` first)")
        default:
            throw HDF5Error(file: path, message: "file is a '\(header.kind)' file, expected an 'upscaled' or 'average' file or a reference CSV")
        }
    }
}
