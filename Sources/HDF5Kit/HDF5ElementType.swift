import CHDF5

/// The kind of value stored in a dataset or attribute.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    case float64, float32
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case string
    /// Anything else (compound, enum, 16-bit float, ...), with a human description.
    case other(String)

    /// numpy-style name: "float64", "uint8", "string".
    public var name: String {
        switch self {
        case .float64: "float64"
        case .float32: "float32"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .string: "string"
        case .other(let text): text
        }
    }

    /// Human description: "64-bit float", "8-bit unsigned integer", "string".
    public var description: String {
        switch self {
        case .float64: "64-bit float"
        case .float32: "32-bit float"
        case .string: "string"
        case .other(let text): text
        default: "\(bits)-bit \(isSigned ? "signed" : "unsigned") integer"
        }
    }

    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        default: false
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// True for integers and floats.
    public var isNumeric: Bool { isInteger || isFloatingPoint }

    var bits: Int {
        switch self {
        case .int8, .uint8: 8
        case .int16, .uint16: 16
        case .int32, .uint32, .float32: 32
        case .int64, .uint64, .float64: 64
        default: 0
        }
    }

    var isSigned: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .float32, .float64: true
        default: false
        }
    }

    /// Whether data stored as `stored` may be read into this type without changing its kind:
    /// any integer or float widens into a float at least as wide as the stored float, and an
    /// integer reads into an integer whose range holds every stored value. A float never
    /// reads into an integer, and float64 never into float32.
    public func canRead(from stored: HDF5ElementType) -> Bool {
        if stored == self { return true }
        switch self {
        case .float64:
            return stored.isNumeric
        case .float32:
            // Integers up to 16 bits are exact in a float32 (24-bit significand).
            return stored.isInteger && stored.bits <= 16
        default:
            guard isInteger, stored.isInteger else { return false }
            if isSigned == stored.isSigned { return stored.bits <= bits }
            // Unsigned into signed needs one more bit; signed never reads into unsigned.
            return isSigned && stored.bits < bits
        }
    }

    /// The native memory datatype (a library constant; do not close).
    var nativeType: hid_t? {
        switch self {
        case .float64: chdf5_native_double()
        case .float32: chdf5_native_float()
        case .int8: chdf5_native_int8()
        case .int16: chdf5_native_int16()
        case .int32: chdf5_native_int32()
        case .int64: chdf5_native_int64()
        case .uint8: chdf5_native_uint8()
        case .uint16: chdf5_native_uint16()
        case .uint32: chdf5_native_uint32()
        case .uint64: chdf5_native_uint64()
        case .string, .other: nil
        }
    }

    /// Classifies an HDF5 datatype (any byte order).
    init(datatype type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 8: self = .float64
            case 4: self = .float32
            default: self = .other("\(size * 8)-bit float")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, true): self = .int8
            case (2, true): self = .int16
            case (4, true): self = .int32
            case (8, true): self = .int64
            case (1, false): self = .uint8
            case (2, false): self = .uint16
            case (4, false): self = .uint32
            case (8, false): self = .uint64
            default: self = .other("\(size * 8)-bit \(signed ? "signed" : "unsigned") integer")
            }
        case H5T_STRING: self = .string
        case H5T_ENUM:
            let base = H5Tget_super(type)
            if base >= 0 {
                defer { H5Tclose(base) }
                self = .other("enum of \(HDF5ElementType(datatype: base))")
            } else {
                self = .other("enum")
            }
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("variable-length sequence")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_BITFIELD: self = .other("bitfield")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_TIME: self = .other("time")
        default: self = .other("unknown type")
        }
    }
}

/// A Swift number type that datasets and attributes can hold directly.
///
/// Conformances: Double, Float, Int8/16/32/64, UInt8/16/32/64 and Int (stored as int64).
public protocol HDF5Scalar: Sendable {
    /// How values of this type are stored in the file.
    static var hdf5Type: HDF5ElementType { get }
}

extension Double: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .float64 } }
extension Float: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .float32 } }
extension Int8: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .int8 } }
extension Int16: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .uint8 } }
extension UInt16: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .uint16 } }
extension UInt32: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .uint32 } }
extension UInt64: HDF5Scalar { public static var hdf5Type: HDF5ElementType { .uint64 } }
extension Int: HDF5Scalar {
    public static var hdf5Type: HDF5ElementType {
        MemoryLayout<Int>.size == 8 ? .int64 : .int32
    }
}

extension HDF5Scalar {
    /// Swift name for error messages ("Double", "Int32").
    static var swiftName: String { String(describing: Self.self) }

    /// Native memory datatype; every conformer maps to a fixed-size number.
    static func nativeType(_ loc: HDF5Location) throws(HDF5Error) -> hid_t {
        guard let type = hdf5Type.nativeType,
              MemoryLayout<Self>.size * 8 == hdf5Type.bits else {
            throw loc.error("\(swiftName) has no HDF5 number type")
        }
        return type
    }
}
