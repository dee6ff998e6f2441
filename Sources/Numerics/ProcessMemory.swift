import CSuiteSparse

/// Process-wide allocator tuning for codes that factor large sparse matrices repeatedly.
public enum ProcessMemory {
    /// Keeps freed heap memory in the process instead of returning it to the kernel: large
    /// blocks come from the heap rather than fresh `mmap`s, and the heap is not trimmed.
    /// UMFPACK allocates and frees its ~1 GB workspace at every numeric factorisation; with
    /// glibc's defaults each one faults in (and the kernel zeroes) every page again, measured
    /// 1.5 s of the 18 s liver-strip DNS. Peak memory is unchanged; the resident set stays at
    /// its peak until exit (glibc `mallopt`: M_MMAP_MAX = 0, M_TRIM_THRESHOLD = 2³¹ − 1).
    public static func keepFreedMemory() {
        csuitesparse_keep_freed_memory()
    }
}
