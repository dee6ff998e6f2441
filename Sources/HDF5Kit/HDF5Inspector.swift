import Foundation
/// Human-readable tree of a file, for `tissue inspect`.
///
/// ```
/// run.h5
/// /
///   @format = "tissue-transport"
///   @config = "[tissue]… (12 lines)"
///   macro/
///     c  float64 (1001)
///       @long_name = "concentration"
///       @units = "mol m-3"
/// ```
public enum HDF5Inspector {
    /// Every group and dataset with shape and element type, and all attributes
    /// (long strings shortened to their first line and a line count).
    ///
    /// Soft links are shown with their target, not followed; a group reached again through another
    /// hard link is named, not listed twice (as `h5dump` does). Both can make a file's tree a
    /// cycle, and following them makes the listing infinite.
    public static func describe(_ file: HDF5File) throws -> String {
        var lines = [file.path, "/"]
        var seen: Set<UInt64> = []
        if let root = file.root.objectAddress(of: ".") { seen.insert(root) }
        try describeGroup(file.root, indent: "  ", depth: 0, seen: &seen, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describeGroup(_ group: HDF5Group, indent: String, depth: Int, seen: inout Set<UInt64>,
                                      into lines: inout [String]) throws {
        try describeAttributes(group, indent: indent, into: &lines)
        guard depth < 64 else {
            lines.append(indent + "… (nesting too deep)")
            return
        }
        for name in try group.childNames() {
            if let target = group.softLinkTarget(name) {
                lines.append(indent + "\(name) -> \(target)" + (group.contains(name) ? "" : "  (dangling link)"))
                continue
            }
            guard group.contains(name) else {
                lines.append(indent + "\(name)  (dangling link)")
                continue
            }
            switch try group.kind(of: name) {
            case .group:
                if let address = group.objectAddress(of: name), !seen.insert(address).inserted {
                    lines.append(indent + name + "/  (hard link to a group listed above)")
                    continue
                }
                lines.append(indent + name + "/")
                try describeGroup(try group.group(name), indent: indent + "  ", depth: depth + 1, seen: &seen, into: &lines)
            case .dataset:
                let dataset = try group.dataset(name)
                lines.append(indent + "\(name)  \(dataset.elementType.name) \(shapeText(dataset.shape))" + (try smallValues(dataset)))
                try describeAttributes(dataset, indent: indent + "  ", into: &lines)
            case .other:
                lines.append(indent + "\(name)  (named datatype or other object)")
            }
        }
    }

    private static func describeAttributes(_ holder: some HDF5AttributeHolder, indent: String,
                                           into lines: inout [String]) throws {
        for name in try holder.attributeNames() {
            lines.append(indent + "@\(name) = " + attributeText(holder, name))
        }
    }

    /// "(1001)", "(100, 200)", "scalar".
    /// " = v" or " = [a, b, …]" for a numeric dataset of at most 6 values (scalars and parameters),
    /// with its units; "" otherwise.
    static func smallValues(_ dataset: HDF5Dataset) throws -> String {
        let count = dataset.shape.reduce(1, *)
        guard dataset.elementType.isNumeric, count >= 1, count <= 6 else { return "" }
        let values = try dataset.read(Double.self).map { formatValue($0) }
        let units = (try? dataset.stringAttribute("units")).map { $0 == "1" ? "" : " " + $0 } ?? ""
        return " = " + (values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]") + units
    }

    /// Up to 6 significant digits.
    static func formatValue(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.6g", x)
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// An attribute value for display; never throws (unreadable values say so).
    static func attributeText(_ holder: some HDF5AttributeHolder, _ name: String) -> String {
        guard let type = try? holder.attributeType(name) else { return "<unreadable>" }
        switch type {
        case .string:
            guard let values = try? holder.stringArrayAttribute(name), !values.isEmpty else { return "[]" }
            let shown = values.prefix(6).map { "\"" + shorten($0) + "\"" }
            return values.count == 1 ? shown[0] : listText(shown, total: values.count, unit: "strings")
        case .float32, .float64:
            guard let values = try? holder.doubleArrayAttribute(name) else { return "<unreadable \(type)>" }
            return values.count == 1 ? "\(values[0])" : listText(values.prefix(6).map { "\($0)" }, total: values.count, unit: "values")
        case .uint64:
            guard let values = try? holder.numberAttribute(name, as: UInt64.self, accept: { _ in true }, expected: "integers")
            else { return "<unreadable \(type)>" }
            return values.count == 1 ? "\(values[0])" : listText(values.prefix(6).map { "\($0)" }, total: values.count, unit: "values")
        case _ where type.isInteger:
            guard let values = try? holder.intArrayAttribute(name) else { return "<unreadable \(type)>" }
            return values.count == 1 ? "\(values[0])" : listText(values.prefix(6).map { "\($0)" }, total: values.count, unit: "values")
        default:
            return "<\(type)>"
        }
    }

    private static func listText(_ shown: [String], total: Int, unit: String) -> String {
        let body = "[" + shown.joined(separator: ", ") + (total > shown.count ? ", …" : "") + "]"
        return total > shown.count ? body + " (\(total) \(unit))" : body
    }

    /// First line plus "… (N lines)" for multi-line text; long single lines cut at 80 characters.
    static func shorten(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let lineCount = text.hasSuffix("\n") ? lines.count - 1 : lines.count
        var first = String(lines.first ?? "")
        if first.count > 80 { first = String(first.prefix(79)) + "…" }
        return lineCount > 1 ? first + "… (\(lineCount) lines)" : first
    }
}
