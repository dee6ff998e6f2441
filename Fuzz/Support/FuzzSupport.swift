/// Shared helpers of the libFuzzer targets in `Fuzz/Targets/` (compiled into every target by
/// `scripts/fuzz.sh`, not part of the package).
///
/// A target turns the fuzzer's bytes into a file, hands it to one of our readers and accepts
/// exactly two outcomes: a value, or one of our error types whose text names the file. Anything
/// else (a trap, a sanitizer report, a foreign error type, an error that does not say which file)
/// stops the run with `fatalError`, so libFuzzer saves the input as a crash.
import Foundation

enum FuzzSupport {
    /// A valid tissue file (`tissues/brain.toml` without comments, a shorter D*(Pe) table).
    static let tissueText = """
        [tissue]
        name = "brain"
        length = "20 um"
        effective_radius = "0.47 um"
        porosity = 0.260372
        peclet = 8.15732074795076
        km = "226.34676324128571 mol/m^3/s"
        Ka = "1 mol/m^3"
        cL = "2 mol/m^3"
        Dr = 0.1
        D_beta = "1e-10 m^2/s"
        [dispersion]
        source = "Taghizadeh, Byrne & Wood (2021)"
        peclet = [0.01, 1, 8, 512]
        D_star = ["3.4e-11 m^2/s", "3.9e-11 m^2/s", "6.8e-11 m^2/s", "8.4e-9 m^2/s"]
        """

    /// A 6-cell transient run of `tissueFile` with a constant closure (4 steps of 0.25 ms): the
    /// template run of the `upscaled` and `checkpoint` targets.
    static func smallTransientScenario(tissueFile: String) -> String {
        """
        [run]
        mode = "transient"
        [tissue]
        file = "\(tissueFile)"
        [grid]
        cells = 6
        [transient]
        end_time = "1 ms"
        time_step = "0.25 ms"
        output_times = ["0.5 ms", "1 ms"]
        [closure]
        kind = "constant"
        eta = 0.74
        """
    }

    /// A private scratch directory for this process (in /dev/shm when it exists: no disk I/O).
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = "\(base)/tissue-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzSupport.scratch) }
        return dir
    }()

    /// Writes `bytes` to `name` in the scratch directory and returns its path.
    static func write(_ bytes: some Collection<UInt8>, to name: String) -> String {
        let path = scratch + "/" + name
        let ok = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(ok, "fuzz harness: cannot write \(path)")
        return path
    }

    /// Accepts a rejection only if it is one of `allowed` error types and its text names `file`
    /// (and says something beyond the file name).
    static func checkRejection(_ error: any Error, file: String, allowed: [any Error.Type]) {
        guard allowed.contains(where: { type(of: error) == $0 }) else {
            fatalError("unexpected error type \(type(of: error)): \(error)")
        }
        let text = "\(error)"
        guard text.contains(file) else {
            fatalError("error does not name the file \(file): \(text)")
        }
        guard text.replacingOccurrences(of: file, with: "").contains(where: \.isLetter) else {
            fatalError("error names the file but not the problem: \(text)")
        }
    }
}

/// Reads the fuzzer's bytes front to back; past the end every read returns 0.
struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }
    var remaining: ArraySlice<UInt8> { bytes[min(position, bytes.count)...] }

    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }

    mutating func uint32() -> UInt32 {
        (0..<4).reduce(UInt32(0)) { acc, _ in acc << 8 | UInt32(byte()) }
    }

    mutating func uint64() -> UInt64 {
        (0..<8).reduce(UInt64(0)) { acc, _ in acc << 8 | UInt64(byte()) }
    }

    /// A Double that is often special: 0, ±1, NaN, ±Inf, tiny, huge, or any bit pattern.
    mutating func double() -> Double {
        switch byte() % 10 {
        case 0: return 0
        case 1: return 1
        case 2: return -1
        case 3: return .nan
        case 4: return .infinity
        case 5: return -.infinity
        case 6: return .leastNonzeroMagnitude
        case 7: return .greatestFiniteMagnitude
        case 8: return Double(Int8(bitPattern: byte())) / 8
        default: return Double(bitPattern: uint64())
        }
    }

    /// An integer that is often at a boundary.
    mutating func int64() -> Int64 {
        switch byte() % 8 {
        case 0: return 0
        case 1: return -1
        case 2: return .max
        case 3: return .min
        case 4: return Int64(Int32.max) + 1
        default: return Int64(Int8(bitPattern: byte()))
        }
    }
}
