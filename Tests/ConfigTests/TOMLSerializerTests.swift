import Testing
@testable import Config

@Suite struct TOMLSerializerTests {
    @Test func serialisedDocumentParsesBackToTheSameValues() throws {
        let doc = try TOMLParser.parse(TOMLParserTests.representative, file: "doc.toml")
        let text = TOMLSerializer.serialize(doc, headerComment: "generated")
        let again = try TOMLParser.parse(text, file: "again.toml")
        #expect(strip(again) == strip(doc), "\(text)")
        #expect(again.keys.first == "title")
        // Serialising is idempotent.
        #expect(TOMLSerializer.serialize(again, headerComment: "generated") == text)
    }

    @Test func floatsKeepFullRoundTripPrecision() throws {
        let values: [Double] = [0.1, 1e-10, 226.34676324128571, 2.0, -0.0, Double.leastNonzeroMagnitude, 1.7976931348623157e308,
                                1e16, 3.4009288936739576e-11, 0.260372, 1.0 / 3.0]
        for v in values {
            let text = TOMLSerializer.float(v)
            let parsed = try TOMLParser.parseValue(text, file: "f")
            #expect(parsed.doubleValue?.bitPattern == v.bitPattern, "\(v) -> \(text)")
            #expect(parsed.integerValue == nil, "\(text) must stay a float")
        }
        #expect(TOMLSerializer.float(.infinity) == "inf")
        #expect(TOMLSerializer.float(-.infinity) == "-inf")
        #expect(TOMLSerializer.float(.nan) == "nan")
    }

    @Test func canonicalLayoutPutsValuesBeforeSubTables() throws {
        let doc = try TOMLParser.parse("""
            [run]
            mode = 'steady'
            [tissue.dispersion]
            peclet = [1, 2]
            [tissue]
            name = "brain"
            "odd key" = "tab\\there"
            """, file: "d")
        #expect(TOMLSerializer.serialize(doc) == """
            [run]
            mode = "steady"

            [tissue]
            name = "brain"
            "odd key" = "tab\\there"

            [tissue.dispersion]
            peclet = [1, 2]

            """)
    }

    @Test func longArraysAreWrittenOneElementPerLine() {
        var t = TOMLTable()
        t.set("xs", TOMLValue(.array((1...12).map { TOMLValue(.float(Double($0) * 1.123456789)) })))
        let text = TOMLSerializer.serialize(t)
        #expect(text.hasPrefix("xs = [\n    1.123456789,\n"))
        #expect(text.hasSuffix(",\n]\n"))
    }

    /// The values of a table without line numbers, keys sorted (TOML tables are unordered), NaN
    /// replaced, for comparison.
    private func strip(_ t: TOMLTable) -> TOMLTable {
        var out = TOMLTable()
        for e in t.entries.sorted(by: { $0.key < $1.key }) { out.set(e.key, strip(e.value), keyLine: 0) }
        return out
    }

    private func strip(_ v: TOMLValue) -> TOMLValue {
        switch v.kind {
        case .array(let a): return TOMLValue(.array(a.map(strip)))
        case .table(let t): return TOMLValue(.table(strip(t)))
        case .float(let d) where d.isNaN: return TOMLValue(.string("<nan>"))
        default: return TOMLValue(v.kind)
        }
    }
}
