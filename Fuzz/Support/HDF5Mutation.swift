/// Shared machinery of the HDF5 fuzz targets: a valid template file per kind, and two ways of
/// turning fuzzer bytes into a damaged copy of it.
///
/// Input byte 0 chooses the mode:
/// - even: **raw** — the remaining bytes are the whole file (seeded with the valid template, so
///   libFuzzer's truncations, bit flips and splices act on a real file);
/// - odd: **structured** — the remaining bytes are a list of edits applied to a fresh copy of the
///   template through the HDF5 library: delete a dataset, group or attribute; replace a dataset
///   with other numbers, dtype or shape, or with strings; replace an attribute with another type;
///   turn a dataset into a group; add stray children. This reaches the readers' own checks, which
///   raw bytes rarely do (HDF5 metadata carries checksums).
import CHDF5
import Foundation
@testable import HDF5Kit

struct HDF5FuzzTarget {
    /// Writes the valid template to `path`.
    let makeTemplate: (String) throws -> Void
    /// Reads the file with the reader under test; throws its rejection.
    let read: (String) throws -> Void
    /// Error types the reader may throw (besides `HDF5Error`).
    let errorTypes: [any Error.Type]

    private static var templates: [String: [UInt8]] = [:]

    func template(named name: String) -> [UInt8] {
        if let t = Self.templates[name] { return t }
        let path = FuzzSupport.scratch + "/template-" + name
        do { try makeTemplate(path) } catch { fatalError("fuzz harness: cannot write the template: \(error)") }
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        do { try read(path) } catch { fatalError("fuzz harness: the template is rejected: \(error)") }
        Self.templates[name] = bytes
        return bytes
    }

    /// HDF5's free lists raised to 32 MiB in all and 8 MiB per list (defaults 1 MiB / 64 KiB and
    /// smaller): a file's metadata cache (≈ 0.6 MB, calloc'd per open) is then recycled instead of
    /// coming fresh from ASan's mmap allocator, page-faulted and zeroed (2 opens per input made that
    /// a quarter of the run time). Unlimited lists grew past the 2 GB RSS limit. Library-internal
    /// reuse only; our code is unaffected.
    private static let largeFreeLists: Void = {
        _ = H5set_free_list_limits(32 << 20, 8 << 20, 32 << 20, 8 << 20, 32 << 20, 8 << 20)
    }()

    /// Runs one input.
    func run(_ bytes: [UInt8], name: String) {
        _ = Self.largeFreeLists
        guard let mode = bytes.first else { return }
        let path = FuzzSupport.scratch + "/" + name + ".h5"
        if mode % 2 == 0 {
            _ = FuzzSupport.write(bytes.dropFirst(), to: name + ".h5")
        } else {
            _ = FuzzSupport.write(template(named: name), to: name + ".h5")
            var reader = ByteReader(Array(bytes.dropFirst()))
            HDF5Edits.apply(&reader, to: path, template: name)
        }
        do {
            try read(path)
        } catch {
            FuzzSupport.checkRejection(error, file: path, allowed: [HDF5Error.self] + errorTypes)
        }
    }

    /// Writes the seed corpus for this target into `directory`: the template as a raw input, and
    /// a few structured inputs.
    func exportSeeds(to directory: String, name: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let t = template(named: name)
        FileManager.default.createFile(atPath: directory + "/raw-valid", contents: Data([0] + t))
        FileManager.default.createFile(atPath: directory + "/raw-truncated", contents: Data([0] + t.prefix(t.count / 2)))
        for (i, edits) in [[1, 0, 0], [1, 0, 1, 1], [1, 2, 3, 2, 1, 2, 9], [1, 4, 0, 0, 5], [1, 3, 5, 1, 1, 1], [1, 5, 2]].enumerated() {
            FileManager.default.createFile(atPath: directory + "/edits-\(i)", contents: Data(edits.map(UInt8.init)))
        }
    }
}

/// Edits applied to an open, valid file.
enum HDF5Edits {
    /// Words the readers look for, so that replaced strings are often almost right.
    static let words = ["tissue-transport", "model", "training-set", "training-set-part", "upscaled", "relu", "tanh",
                        "linear", "porosity", "thiele_modulus_squared", "peclet", "diffusivity_ratio", "concentration",
                        "concentration_gradient", "0", "1", "", "steady", "transient", "W", "b", "x",
                        "dns-tissue", "nx", "ny", "h", "c", "solid_fraction", "effective_radius", "km", "Ka"]

    struct Object {
        var path: String
        var isGroup: Bool
        var attributes: [String]
    }

    /// Every group and dataset reachable by hard links, each once (`H5Ovisit2`: one pass over the
    /// file, no object opened per name, so the edits' repeated walks stay cheap); attribute names
    /// are left empty (see `attributeNames`).
    static func walk(_ file: HDF5File, into objects: inout [Object]) {
        final class Visited { var items: [(path: String, isGroup: Bool)] = [] }
        let visited = Visited()
        let fileID = file.handle.id
        withExtendedLifetime(visited) {
            _ = H5Ovisit2(fileID, H5_INDEX_NAME, H5_ITER_INC, { _, name, info, context in
                guard let name, let info, let context else { return 0 }
                let visited = Unmanaged<Visited>.fromOpaque(context).takeUnretainedValue()
                let relative = String(cString: name)
                let kind = info.pointee.type
                if kind == H5O_TYPE_GROUP || kind == H5O_TYPE_DATASET {
                    visited.items.append((relative == "." ? "/" : "/" + relative, kind == H5O_TYPE_GROUP))
                }
                return 0
            }, Unmanaged.passUnretained(visited).toOpaque(), UInt32(H5O_INFO_BASIC))
        }
        if visited.items.isEmpty { visited.items.append(("/", true)) }
        objects += visited.items.map { Object(path: $0.path, isGroup: $0.isGroup, attributes: []) }
    }

    /// The attribute names of the object at `path` (asked only for the object an edit picks).
    static func attributeNames(file: hid_t, path: String) -> [String] {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(file, path, &info, UInt32(H5O_INFO_NUM_ATTRS), chdf5_p_default()) >= 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: 256)
        return (0..<Int(info.num_attrs)).compactMap { k -> String? in
            let n = H5Aget_name_by_idx(file, path, H5_INDEX_NAME, H5_ITER_INC, hsize_t(k), &buffer,
                                       buffer.count, chdf5_p_default())
            return n >= 0 ? String(cString: buffer) : nil
        }
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        let parts = HDF5Path.components(path)
        return ("/" + parts.dropLast().joined(separator: "/"), parts.last ?? "")
    }

    static func string(_ r: inout ByteReader) -> String {
        let b = r.byte()
        if b < 200 { return words[Int(b) % words.count] }
        let n = Int(r.byte() % 16)
        return String(decoding: (0..<n).map { _ in r.byte() }, as: UTF8.self)
    }

    /// A numpy-like shape: rank 0–3, extents 0–7 (often the template's own extents are kept).
    static func shape(_ r: inout ByteReader) -> [Int] {
        (0..<Int(r.byte() % 4)).map { _ in Int(r.byte() % 8) }
    }

    static func writeNumbers(_ r: inout ByteReader, in group: HDF5Group, name: String) throws {
        let dims = shape(&r)
        let n = dims.reduce(1, *)
        switch r.byte() % 7 {
        case 0: try group.write(name, (0..<n).map { _ in r.double() }, shape: dims, units: "1", longName: "fuzz")
        case 1: try group.write(name, (0..<n).map { _ in Float(r.double()) }, shape: dims, units: "1", longName: "fuzz")
        case 2: try group.write(name, (0..<n).map { _ in r.int64() }, shape: dims, units: "1", longName: "fuzz")
        case 3: try group.write(name, (0..<n).map { _ in Int32(truncatingIfNeeded: r.int64()) }, shape: dims, units: "1", longName: "fuzz")
        case 4: try group.write(name, (0..<n).map { _ in r.byte() }, shape: dims, units: "1", longName: "fuzz")
        case 5: try group.write(name, (0..<n).map { _ in r.uint64() }, shape: dims, units: "1", longName: "fuzz")
        default: try group.write(name, (0..<n).map { _ in Int8(bitPattern: r.byte()) }, shape: dims, units: "1", longName: "fuzz")
        }
    }

    static func setAttribute(_ r: inout ByteReader, on holder: some HDF5AttributeHolder, name: String) throws {
        switch r.byte() % 7 {
        case 0: try holder.setAttribute(name, string(&r))
        case 1: try holder.setAttribute(name, Int(r.int64()))
        case 2: try holder.setAttribute(name, r.double())
        case 3: try holder.setAttribute(name, (0..<Int(r.byte() % 4)).map { _ in r.double() })
        case 4: try holder.setAttribute(name, (0..<Int(r.byte() % 4)).map { _ in Int(r.int64()) })
        case 5: try holder.setAttribute(name, (0..<Int(r.byte() % 4)).map { _ in string(&r) })
        default:
            // An unsigned 64-bit scalar (as numpy writes seeds).
            let id = try holder.object.openID()
            H5Adelete(id, name)
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attr = H5Acreate2(id, name, chdf5_native_uint64(), space, chdf5_p_default(), chdf5_p_default())
            guard attr >= 0 else { return }
            defer { H5Aclose(attr) }
            var v = r.uint64()
            H5Awrite(attr, chdf5_native_uint64(), &v)
        }
    }

    /// A chunked float64 dataset of rank 1–3 with extents up to 2^62 that is never written: a
    /// valid file (h5py makes one with `create_dataset(shape=(2**40,), chunks=True)`).
    static func hugeDataset(_ r: inout ByteReader, file: hid_t, path: String) {
        var dims = (0..<Int(1 + r.byte() % 3)).map { _ in hsize_t(1) << hsize_t(r.byte() % 63) }
        var chunk = dims.map { _ in hsize_t(1) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { return }
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(chdf5_p_dataset_create())
        defer { H5Pclose(dcpl) }
        H5Pset_chunk(dcpl, Int32(chunk.count), &chunk)
        let id = H5Dcreate2(file, path, chdf5_native_double(), space, chdf5_p_default(), dcpl, chdf5_p_default())
        if id >= 0 { H5Dclose(id) }
    }

    /// The objects of each target's template file, walked once.
    private static var templateObjects: [String: [Object]] = [:]

    /// Applies up to 8 edits chosen by `r` to the file at `path`, a fresh copy of template `name`.
    static func apply(_ r: inout ByteReader, to path: String, template name: String) {
        guard let file = try? HDF5File.open(path, writable: true) else { return }
        defer { try? file.close() }
        let fileID = file.handle.id
        var objects: [Object] = templateObjects[name] ?? {
            var walked: [Object] = []
            walk(file, into: &walked)
            templateObjects[name] = walked
            return walked
        }()
        for edit in 0..<8 where !r.isAtEnd {
            if edit > 0 {  // the previous edit may have changed the structure
                objects.removeAll(keepingCapacity: true)
                walk(file, into: &objects)
            }
            let op = r.byte() % 9
            var target = objects[Int(r.byte()) % objects.count]
            target.attributes = attributeNames(file: fileID, path: target.path)
            let (parentPath, name) = split(target.path)
            let parent = try? file.root.group(parentPath)
            switch op {
            case 0:  // delete the object
                if target.path != "/" { H5Ldelete(fileID, target.path, chdf5_p_default()) }
            case 1:  // delete an attribute
                if !target.attributes.isEmpty {
                    let a = target.attributes[Int(r.byte()) % target.attributes.count]
                    H5Adelete_by_name(fileID, target.path, a, chdf5_p_default())
                }
            case 2:  // replace a dataset with other numbers, dtype or shape
                if !target.isGroup, let parent {
                    H5Ldelete(fileID, target.path, chdf5_p_default())
                    try? writeNumbers(&r, in: parent, name: name)
                }
            case 3:  // replace a dataset with strings
                if !target.isGroup, let parent {
                    H5Ldelete(fileID, target.path, chdf5_p_default())
                    try? parent.writeStrings(name, (0..<Int(r.byte() % 8)).map { _ in string(&r) }, longName: "fuzz")
                }
            case 4:  // replace (or add) an attribute
                let a = target.attributes.isEmpty || r.byte() % 4 == 0
                    ? string(&r) : target.attributes[Int(r.byte()) % target.attributes.count]
                if a.isEmpty { break }
                if target.isGroup, let g = try? file.root.group(target.path) {
                    try? setAttribute(&r, on: g, name: a)
                } else if let d = try? file.root.dataset(target.path) {
                    try? setAttribute(&r, on: d, name: a)
                }
            case 5:  // a dataset becomes a group, a group becomes a dataset
                if target.path == "/" { break }
                H5Ldelete(fileID, target.path, chdf5_p_default())
                if target.isGroup { try? writeNumbers(&r, in: parent ?? file.root, name: name) }
                else { _ = try? parent?.createGroup(name) }
            case 6:  // a stray child in a group
                if target.isGroup, let g = try? file.root.group(target.path) {
                    let child = string(&r)
                    if !child.isEmpty, !child.contains("/"), !child.contains("."), !g.contains(child) {
                        if r.byte() % 2 == 0 { _ = try? g.createGroup(child) } else { try? writeNumbers(&r, in: g, name: child) }
                    }
                }
            case 7:  // a dataset whose dataspace is huge but never written (chunked, no storage)
                if !target.isGroup {
                    H5Ldelete(fileID, target.path, chdf5_p_default())
                    hugeDataset(&r, file: fileID, path: target.path)
                }
            default:  // a soft link to somewhere (possibly nowhere) in place of the object
                if target.path != "/" {
                    H5Ldelete(fileID, target.path, chdf5_p_default())
                    let destination = objects[Int(r.byte()) % objects.count].path + (r.byte() % 2 == 0 ? "" : "/missing")
                    H5Lcreate_soft(destination, fileID, target.path, chdf5_p_default(), chdf5_p_default())
                }
            }
        }
    }
}
