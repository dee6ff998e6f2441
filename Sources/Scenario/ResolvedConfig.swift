import Config
/// The resolved configuration of a run as canonical TOML, stored verbatim in every output.
///
/// The tissue is written inline (all keys, SI values, plus `[tissue.dispersion]`), overrides are
/// already applied and defaults are explicit, so loading this text as a scenario from the same
/// `configPath` reproduces the same `RunScenario`.

enum ResolvedConfig {
    static func toml(for s: RunScenario, modelPathAsWritten: String?) -> String {
        func float(_ x: Double) -> TOMLValue { TOMLValue(.float(x)) }
        func string(_ x: String) -> TOMLValue { TOMLValue(.string(x)) }
        func integer(_ x: Int) -> TOMLValue { TOMLValue(.integer(Int64(x))) }
        func table(_ pairs: [(String, TOMLValue)]) -> TOMLValue {
            var t = TOMLTable()
            for (k, v) in pairs { t.set(k, v) }
            return TOMLValue(.table(t))
        }

        var root = TOMLTable()
        root.set("run", table([("mode", string(s.mode.rawValue)), ("seed", TOMLValue(.integer(Int64(s.seed))))]))

        let tissue = s.tissue
        let dispersionTable = table([
            ("source", string(tissue.dispersionSource)),
            ("peclet", TOMLValue(.array(tissue.dispersionPeclet.map(float)))),
            ("D_star", TOMLValue(.array(tissue.dispersionCoefficient.map(float)))),
        ])
        root.set("tissue", table([
            ("name", string(tissue.name)),
            ("length", float(tissue.length)),
            ("effective_radius", float(tissue.effectiveRadius)),
            ("porosity", float(tissue.porosity)),
            ("peclet", float(tissue.peclet)),
            ("km", float(tissue.km)),
            ("Ka", float(tissue.Ka)),
            ("cL", float(tissue.inletConcentration)),
            ("Dr", float(tissue.Dr)),
            ("D_beta", float(tissue.diffusivityBeta)),
        ] + (tissue.dispersionPeclet.isEmpty ? [] : [("dispersion", dispersionTable)])))
        root.set("grid", table([("cells", integer(s.cells))]))
        root.set("solver", table([
            ("convection", string(s.convection.rawValue)),
            ("tolerance", float(s.tolerance)),
            ("max_iterations", integer(s.maxIterations)),
        ]))
        if let t = s.transient {
            var fields: [(String, TOMLValue)] = [("scheme", string(t.scheme.rawValue)), ("end_time", float(t.endTime))]
            if t.scheme.isFixedStep {
                fields.append(("time_step", float(t.timeStep)))
            } else {
                fields.append(("rtol", float(t.relativeTolerance)))
                if let a = t.absoluteTolerance { fields.append(("atol", float(a))) }
            }
            fields.append(("output_times", TOMLValue(.array(t.outputTimes.map(float)))))
            if let p = s.initialProfileAsWritten ?? s.initialProfilePath {
                fields.append(("initial_profile", string(p)))
            } else {
                fields.append(("initial_concentration", float(t.initialConcentration)))
            }
            if let th = t.exposureThreshold { fields.append(("threshold", float(th))) }
            root.set("transient", table(fields))
            if let inlet = s.inletTable { root.set("inlet", inlet) }
        }
        switch s.closure {
        case .constant(let eta):
            root.set("closure", table([("kind", string("constant")), ("eta", float(eta))]))
        case .analytic:
            root.set("closure", table([("kind", string("analytic"))]))
        case .mlp(let path):
            root.set("closure", table([("kind", string("mlp")), ("model", string(modelPathAsWritten ?? path))]))
        }
        switch s.dispersion {
        case .table:
            root.set("dispersion", table([("kind", string("table"))]))
        case .constant(let d):
            root.set("dispersion", table([("kind", string("constant")), ("value", float(d))]))
        }
        if let h = s.heterogeneity { root.set("heterogeneity", h.toml) }
        root.set("output", table([("file", string(s.outputPath))]))

        let header = """
            Resolved TissueTransport scenario \(s.configPath): defaults explicit, overrides applied, tissue inlined.
            Physical values in SI units: m, s, mol m-3, km in mol m-3 s-1, D in m2 s-1.
            closure.model is relative to the scenario's directory; output.file to the working directory.
            """
        return TOMLSerializer.serialize(root, headerComment: header)
    }
}
