import Testing
@testable import Config

/// Parses `text`, failing the test on error.
private func parse(_ text: String) throws -> TOMLTable {
    try TOMLParser.parse(text, file: "doc.toml")
}

/// The error of parsing `text` (nil if it parsed).
private func parseError(_ text: String) -> ScenarioError? {
    do {
        _ = try TOMLParser.parse(text, file: "doc.toml")
        return nil
    } catch let e as ScenarioError {
        return e
    } catch {
        return nil
    }
}

@Suite struct TOMLParserTests {
    static let representative = #"""
        # A representative document
        title = "TOML \"example\"\tend" # trailing comment
        literal = 'C:\Users\nodejs'
        unicode = "caf\u00E9 \U0001F600"
        multi = """
        Roses are red
        Violets are \
           blue"""
        multiLiteral = '''
        first
        \no escape'''
        quotes = """a "quoted" word, two "" and end""""
        int = +99
        neg = -17
        big = 1_000_000
        hex = 0xDEAD_beef
        oct = 0o755
        bin = 0b1101
        f1 = 3.1415
        f2 = -0.01
        f3 = 5e+22
        f4 = 6.626e-34
        f5 = 224_617.445_991
        pinf = inf
        ninf = -inf
        nan = nan
        yes = true
        no = false
        "quoted key" = 1
        'literal key' = 2
        site."google.com" = true
        physical.color = "orange"
        physical . shape = "round"
        mixed = [1, "two", 3.0, [4, 5], { six = 6 }]
        empty = []
        multiline = [
            1,   # one
            2,
            # a comment line
            3,
        ]
        point = { x = 1, y = 2, nested.deep = "ok" }

        [server]
        host = "localhost"

        [server.ports]
        http = 80

        [a.b.c]
        d = 1

        [a]
        e = 2

        [[products]]
        name = "Hammer"
        sku = 738594937

        [[products]]

        [[products]]
        name = "Nail"
        color = "gray"

        [[products.variants]]
        size = "small"
        """#

    @Test func representativeDocumentParsesEveryValueKind() throws {
        let doc = try parse(Self.representative)
        #expect(doc["title"]?.stringValue == "TOML \"example\"\tend")
        #expect(doc["literal"]?.stringValue == #"C:\Users\nodejs"#)
        #expect(doc["unicode"]?.stringValue == "café 😀")
        #expect(doc["multi"]?.stringValue == "Roses are red\nViolets are blue")
        #expect(doc["multiLiteral"]?.stringValue == "first\n\\no escape")
        #expect(doc["quotes"]?.stringValue == #"a "quoted" word, two "" and end""#)
        #expect(doc["int"]?.integerValue == 99)
        #expect(doc["neg"]?.integerValue == -17)
        #expect(doc["big"]?.integerValue == 1_000_000)
        #expect(doc["hex"]?.integerValue == 0xDEAD_BEEF)
        #expect(doc["oct"]?.integerValue == 0o755)
        #expect(doc["bin"]?.integerValue == 13)
        #expect(doc["f1"]?.doubleValue == 3.1415)
        #expect(doc["f2"]?.doubleValue == -0.01)
        #expect(doc["f3"]?.doubleValue == 5e22)
        #expect(doc["f4"]?.doubleValue == 6.626e-34)
        #expect(doc["f5"]?.doubleValue == 224_617.445_991)
        #expect(doc["pinf"]?.doubleValue == .infinity)
        #expect(doc["ninf"]?.doubleValue == -.infinity)
        #expect(doc["nan"]?.doubleValue?.isNaN == true)
        #expect(doc["yes"]?.boolValue == true)
        #expect(doc["no"]?.boolValue == false)
        #expect(doc["quoted key"]?.integerValue == 1)
        #expect(doc["literal key"]?.integerValue == 2)
        #expect(doc[path: ["site", "google.com"]]?.boolValue == true)
        #expect(doc[path: ["physical", "color"]]?.stringValue == "orange")
        #expect(doc[path: ["physical", "shape"]]?.stringValue == "round")

        let mixed = try #require(doc["mixed"]?.arrayValue)
        #expect(mixed.count == 5)
        #expect(mixed[1].stringValue == "two")
        #expect(mixed[3].arrayValue?.map(\.integerValue) == [4, 5])
        #expect(mixed[4].tableValue?["six"]?.integerValue == 6)
        #expect(doc["empty"]?.arrayValue?.isEmpty == true)
        #expect(doc["multiline"]?.arrayValue?.map(\.integerValue) == [1, 2, 3])
        #expect(doc[path: ["point", "nested", "deep"]]?.stringValue == "ok")

        #expect(doc[path: ["server", "host"]]?.stringValue == "localhost")
        #expect(doc[path: ["server", "ports", "http"]]?.integerValue == 80)
        #expect(doc[path: ["a", "b", "c", "d"]]?.integerValue == 1)
        #expect(doc[path: ["a", "e"]]?.integerValue == 2)

        let products = try #require(doc["products"]?.arrayValue)
        #expect(products.count == 3)
        #expect(products[0].tableValue?["name"]?.stringValue == "Hammer")
        #expect(products[1].tableValue?.isEmpty == true)
        #expect(products[2].tableValue?[path: ["variants"]]?.arrayValue?.first?.tableValue?["size"]?.stringValue == "small")
    }

    @Test func valuesAndKeysRememberTheirLines() throws {
        let doc = try parse(Self.representative)
        #expect(doc["title"]?.line == 2)
        #expect(doc.entry("title")?.keyLine == 2)
        #expect(doc["multi"]?.line == 5)
        #expect(doc["multiLiteral"]?.line == 9)
        let multiline = try #require(doc["multiline"])
        #expect(multiline.line == 36)
        #expect(multiline.arrayValue?.map(\.line) == [37, 38, 40])
        #expect(doc["server"]?.tableValue?.line == 44)
        #expect(doc[path: ["server", "ports", "http"]]?.line == 48)
        #expect(doc["a"]?.tableValue?.line == 53)  // defined by [a] after the implicit [a.b.c]
    }

    @Test func windowsLineEndingsAndByteOrderMarkAreAccepted() throws {
        let doc = try parse("\u{FEFF}a = 1\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\n")
        #expect(doc["a"]?.integerValue == 1)
        #expect(doc["b"]?.stringValue == "x\ny")
        #expect(doc["b"]?.line == 2)
    }

    @Test(arguments: [
        ("a = 1\nb = \n", 2, "expected a value"),
        ("a = 1\n\n[t]\nx = 1\nx = 2\n", 5, "duplicate key `x` (first defined on line 4)"),
        ("[t]\nx = 1\n[u]\n[t]\n", 4, "table `[t]` is defined twice (first on line 1)"),
        ("a = \"unterminated\nb = 2\n", 1, "unterminated string"),
        ("a = [1, 2\nb = 3\n", 2, "expected `,` or `]` in the array"),
        ("a = 1 b = 2\n", 1, "expected the end of the line"),
        ("x = 1\ny = hello\n", 2, "strings must be quoted"),
        ("\n\nd = 1979-05-27T07:32:00Z\n", 3, "date-time values are not supported"),
        ("t = 07:32:00\n", 1, "date-time values are not supported"),
        ("a = 012\n", 1, "leading zeros"),
        ("a = 1__0\n", 1, "invalid value"),
        ("a = 1.\n", 1, "invalid value"),
        ("a = 0x\n", 1, "invalid value"),
        ("a = 9223372036854775808\n", 1, "does not fit in 64 bits"),
        ("a = \"\\q\"\n", 1, "invalid escape sequence"),
        ("a = { x = 1, }\n", 1, "trailing comma"),
        ("a = { x = 1,\n y = 2 }\n", 1, "expected a key"),
        ("a = { x = 1\n}\n", 1, "inline tables must be on one line"),
        ("a = { x = 1 }\n[a]\n", 2, "inline table"),
        ("a = { x = 1 }\na.y = 2\n", 2, "inline table"),
        ("a = [1]\n[[a]]\n", 2, "static array cannot be extended"),
        ("[a.b]\nc = 1\n[a]\nb.d = 2\n", 4, "already defined by a header"),
        ("[a]\nb.c = 1\n[a.b]\n", 3, "already defined by dotted keys"),
        ("[[a]]\n[a]\n", 2, "array of tables"),
        ("[a\nb = 1\n", 1, "expected `]`"),
        ("= 1\n", 1, "expected a key"),
        ("a = 1\n\n\nb = \"\"\"\nnever closed\n", 4, "unterminated multi-line string"),
        ("a = 'x\n", 1, "unterminated literal string"),
        ("a = \"tab\u{01}\"\n", 1, "control character"),
    ] as [(String, Int, String)])
    func syntaxErrorsNameTheLine(text: String, line: Int, fragment: String) throws {
        let error = try #require(parseError(text), "expected an error for \(text.debugDescription)")
        #expect(error.file == "doc.toml")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
        #expect(error.description.hasPrefix("doc.toml:\(line): "))
    }

    @Test func dottedKeysMayOpenSubTablesOfDottedTables() throws {
        let doc = try parse("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n")
        #expect(doc[path: ["fruit", "apple", "taste", "sweet"]]?.boolValue == true)
        #expect(doc[path: ["fruit", "apple", "texture", "smooth"]]?.boolValue == true)
    }

    @Test func singleValuesAndKeysParseForOverrides() throws {
        #expect(try TOMLParser.parseValue(" 200 ", file: "--set").integerValue == 200)
        #expect(try TOMLParser.parseValue("\"1 mol/m^3\"", file: "--set").stringValue == "1 mol/m^3")
        #expect(try TOMLParser.parseValue("[\"1 s\", 2.5]", file: "--set").arrayValue?.count == 2)
        #expect(throws: ScenarioError.self) { try TOMLParser.parseValue("1 mol/m^3", file: "--set") }
        #expect(try TOMLParser.parseKey("tissue.\"D_beta\"", file: "--set") == ["tissue", "D_beta"])
    }
}
