/// "Did you mean …?" suggestions for misspelt keys, tables and choices.

public enum DidYouMean {
    /// Common names people use for our keys; consulted before spelling distance.
    public static let synonyms: [String: [String]] = [
        "cells": ["nodes", "points", "n", "ncells", "n_cells", "resolution", "nx", "m"],
        "length": ["l", "strip_length"],
        "effective_radius": ["radius", "r", "r_eff", "reff", "cell_radius"],
        "porosity": ["epsilon", "eps", "epsilon_beta", "eps_beta", "volume_fraction"],
        "peclet": ["pe", "péclet"],
        "D_beta": ["d", "diffusivity", "diffusion", "dbeta", "d_b", "diffusion_coefficient"],
        "D_star": ["dstar", "d*", "dispersion", "d_eff"],
        "tolerance": ["tol", "rtol", "atol", "eps"],
        "max_iterations": ["maxit", "max_iter", "maxiter", "iterations", "max_iters"],
        "time_step": ["dt", "step", "timestep", "delta_t"],
        "end_time": ["t_end", "tend", "final_time", "t_final", "tmax", "t_max", "duration"],
        "output_times": ["times", "save_times", "snapshots"],
        "initial_concentration": ["c0", "initial", "initial_condition", "c_init"],
        "convection": ["advection", "scheme", "flux"],
        "eta": ["effectiveness", "effectiveness_factor", "value"],
        "model": ["path", "network", "mlp", "file"],
        "file": ["path", "output", "filename"],
        "kind": ["type", "method"],
        "km": ["vmax", "v_max"],
        "Ka": ["km_half", "k_a", "michaelis"],
        "cL": ["c_l", "c_inlet", "inlet", "c_in"],
        "Dr": ["d_r", "diffusivity_ratio"],
    ]

    /// Case-insensitive optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
    public static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.lowercased()), t = Array(b.lowercased())
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }

    /// The candidate the user most likely meant by `word`, or nil if none is close.
    ///
    /// A synonym match wins; otherwise the nearest candidate within max(2, ⌈length/3⌉) edits
    /// (ties go to the earlier candidate); a table with a single valid key always suggests it.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        guard !candidates.isEmpty else { return nil }
        let lower = word.lowercased()
        if let exact = candidates.first(where: { $0.lowercased() == lower }) { return exact }
        for c in candidates where synonyms[c]?.contains(lower) == true { return c }
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(word, c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (name, d) = best else { return nil }
        let limit = max(2, (max(word.count, name.count) + 2) / 3)
        if d <= limit { return name }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// " (did you mean `cells`?)" or " (valid keys: a, b, c)".
    public static func hint(for word: String, among candidates: [String], quote: (String) -> String = { "`\($0)`" },
                     listName: String = "valid keys") -> String {
        if let s = suggestion(for: word, among: candidates) { return " (did you mean \(quote(s))?)" }
        if candidates.isEmpty { return "" }
        return " (\(listName): \(candidates.map(quote).joined(separator: ", ")))"
    }
}
