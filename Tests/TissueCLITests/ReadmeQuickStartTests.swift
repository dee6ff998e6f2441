import Foundation
import Testing

/// The README's quick start cannot go stale: every command it shows is run, and every line it shows a
/// command printing must appear in what the command prints.
///
/// Convention (stated in the README): the quick start is the section `## Quick start` up to the next
/// `## ` heading, one `### ` heading per journey. In its ```sh blocks a line `$ COMMAND` is a command
/// (`tissue …`, `.build/release/tissue …`, or the one `export PATH=…` line that puts `.build/release` on
/// the PATH); the lines after it, up to the next `$`, are what it prints, abridged: `…` inside a line
/// stands for any text, and a line that is only `…` for omitted lines. Shown lines are compared with
/// the output lines (stdout and stderr) after trimming blanks. In its ```python blocks, lines
/// `# prints: TEXT` are what the snippet prints, compared likewise.
///
/// The commands run in a fresh directory holding a copy of `examples/` and `tissues/` and links to
/// `models/` and `data/`, after the `run` command of the Makefile's `make run` target, so the README is
/// checked from the state a fresh clone is in after `make run`, and nothing is written into the repo.
@Suite(.serialized) struct ReadmeQuickStartTests {
    enum Step {
        /// A `$` command of an sh block (its README line, 1-based) and the lines shown after it.
        case shell(line: Int, command: String, shown: [String])
        /// A Python snippet and its `# prints:` lines.
        case python(line: Int, code: String, shown: [String])
    }

    struct QuickStart {
        /// 1-based lines of the heading `## Quick start` and of the section's last line.
        var first: Int, last: Int
        var journeys: [String]
        var steps: [Step]
    }

    static let readme: [String] = (try? String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8))
        .map { $0.components(separatedBy: "\n") } ?? []
    static let makefile = (try? String(contentsOf: CLI.root.appendingPathComponent("Makefile"), encoding: .utf8)) ?? ""

    /// The quick start's journeys and steps, in README order.
    static func quickStart(_ lines: [String]) throws -> QuickStart {
        let start = try #require(lines.firstIndex(of: "## Quick start"), "README has no '## Quick start' section")
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count
        var journeys: [String] = [], steps: [Step] = []
        var language: String?, block: [(Int, String)] = []
        for i in (start + 1)..<end {
            let line = lines[i]
            if line.hasPrefix("```") {
                if let lang = language {
                    steps += try parseBlock(lang, block)
                    language = nil
                } else {
                    language = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                    block = []
                }
            } else if language != nil {
                block.append((i + 1, line))
            } else if line.hasPrefix("### ") {
                journeys.append(String(line.dropFirst(4)))
            }
        }
        #expect(language == nil, "README: unclosed code block in the quick start")
        return QuickStart(first: start + 1, last: end, journeys: journeys, steps: steps)
    }

    static func parseBlock(_ language: String, _ block: [(Int, String)]) throws -> [Step] {
        switch language {
        case "sh":
            var steps: [Step] = []
            for (n, line) in block where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                if line.hasPrefix("$ ") {
                    steps.append(.shell(line: n, command: String(line.dropFirst(2)), shown: []))
                } else if case .shell(let l, let c, let shown)? = steps.last {
                    steps[steps.count - 1] = .shell(line: l, command: c, shown: shown + [line])
                } else {
                    Issue.record("README line \(n): output shown before any `$` command: \(line)")
                }
            }
            return steps
        case "python":
            let code = block.map(\.1).joined(separator: "\n")
            let shown = block.compactMap { $0.1.hasPrefix("# prints: ") ? String($0.1.dropFirst(10)) : nil }
            return [.python(line: block.first?.0 ?? 0, code: code, shown: shown)]
        default:
            Issue.record("README: a quick-start code block in '\(language)', which this test cannot run (sh or python)")
            return []
        }
    }

    /// Shell words of a command line: single and double quotes group (no expansion), an unquoted word
    /// starting with `#` ends the line.
    static func words(_ command: String) -> [String] {
        var words: [String] = [], word = "", inWord = false, quote: Character?
        for ch in command {
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else if ch == "#" && !inWord {
                break
            } else {
                word.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    /// Whether a line shown in the README matches one output line (both trimmed; `…` matches any text).
    static func matches(_ shown: String, _ output: [String]) -> Bool {
        let parts = shown.trimmingCharacters(in: .whitespaces).components(separatedBy: "…")
        return output.contains { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard parts.count > 1 else { return line == parts[0] }
            guard line.hasPrefix(parts[0]) else { return false }
            var rest = line.dropFirst(parts[0].count)
            for part in parts.dropFirst().dropLast() where !part.isEmpty {
                guard let r = rest.range(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
            return rest.hasSuffix(parts.last!)
        }
    }

    static func check(_ shown: [String], in text: String, what: String) {
        let output = text.components(separatedBy: "\n")
        for line in shown where line.trimmingCharacters(in: .whitespaces) != "…" {
            #expect(matches(line, output), "README shows `\(line)` for \(what), which printed:\n\(text)")
        }
    }

    /// The set-up commands, the apt packages they install (the Makefile's list) and all three journeys
    /// sit within the README's first 100 lines.
    @Test func setUpAndTheThreeJourneysAreInTheFirstHundredLines() throws {
        let head = Array(Self.readme.prefix(100))
        #expect(head.contains { $0.hasPrefix("make run ") }, "`make run` is not in the README's first 100 lines")
        #expect(head.contains { $0.hasPrefix("make test ") }, "`make test` is not in the README's first 100 lines")
        let packages = try #require(Self.makefile.components(separatedBy: "\n").first { $0.hasPrefix("APT_PACKAGES") })
            .components(separatedBy: ":=")[1].trimmingCharacters(in: .whitespaces)
        #expect(head.contains { $0.contains("`\(packages)`") }, "the Makefile's apt packages (\(packages)) are not named in the first 100 lines")
        let quick = try Self.quickStart(Self.readme)
        #expect(quick.last <= 100, "the quick start runs to line \(quick.last)")
        #expect(quick.journeys.count == 3, "journeys: \(quick.journeys)")
        #expect(Self.readme.count <= 200, "README has \(Self.readme.count) lines")
        // The journeys: run and inspect, validate, plot and sweep, and reading from Python.
        let subcommands = Set(quick.steps.compactMap { step -> String? in
            guard case .shell(_, let command, _) = step else { return nil }
            let w = Self.words(command)
            return w.first == "export" ? nil : w.dropFirst().first
        })
        #expect(subcommands.isSuperset(of: ["run", "inspect", "validate", "plot", "sweep"]), "\(subcommands)")
        #expect(quick.steps.contains { if case .python = $0 { true } else { false } })
    }

    /// Every quick-start command runs (exit 0) and prints the lines the README shows; the Python snippet
    /// runs with h5py (`make test`'s .venv, or TISSUE_PYTHON) and prints its `# prints:` line.
    @Test func quickStartCommandsRunAndPrintWhatTheReadmeShows() throws {
        let quick = try Self.quickStart(Self.readme)
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fm = FileManager.default
        for copy in ["examples", "tissues"] {
            try fm.copyItem(at: CLI.root.appendingPathComponent(copy), to: work.appendingPathComponent(copy))
        }
        for link in ["models", "data"] {
            try fm.createSymbolicLink(at: work.appendingPathComponent(link), withDestinationURL: CLI.root.appendingPathComponent(link))
        }
        // The state after `make run`: its recipe's `$(RELEASE_BIN) run …` line, run here.
        let recipe = try #require(Self.makefile.components(separatedBy: "\n").first { $0.contains("$(RELEASE_BIN) run ") },
                                  "the Makefile's run target no longer runs $(RELEASE_BIN) run …")
        let makeRun = try CLI.run(Array(Self.words(recipe).drop { $0 != "$(RELEASE_BIN)" }.dropFirst()), in: work)
        #expect(makeRun.status == 0, "make run's command: \(makeRun.stderr)")

        let start = Date()
        for step in quick.steps {
            switch step {
            case .shell(let line, let command, let shown):
                let w = Self.words(command)
                if w.first == "export" {
                    // The binary under test stands for the one `make run` builds (RELEASE_BIN).
                    #expect(w == ["export", "PATH=$PWD/.build/release:$PATH"], "README line \(line): \(command)")
                    #expect(Self.makefile.contains("RELEASE_BIN  := .build/release/tissue"))
                    #expect(shown.isEmpty, "README line \(line): an export prints nothing")
                    continue
                }
                guard let program = w.first, ["tissue", ".build/release/tissue"].contains(program) else {
                    Issue.record("README line \(line): `\(command)` is not a tissue command (this test runs only those)")
                    continue
                }
                let r = try CLI.run(Array(w.dropFirst()), in: work)
                #expect(r.status == 0, "README line \(line): `\(command)` exited \(r.status):\n\(r.stderr)")
                Self.check(shown, in: r.stderr + "\n" + r.stdout, what: "`\(command)` (README line \(line))")
            case .python(let line, let code, let shown):
                let python = try CLI.requireH5py()
                let script = work.appendingPathComponent("readme-snippet.py")
                try code.write(to: script, atomically: true, encoding: .utf8)
                let (status, text) = try ValidateCommandTests.runPython(python, [script.path], in: work)
                #expect(status == 0, "README line \(line): the Python snippet failed:\n\(text)")
                #expect(!shown.isEmpty, "README line \(line): the Python snippet shows no `# prints:` line")
                Self.check(shown, in: text, what: "the Python snippet (README line \(line))")
            }
        }
        print("README quick start: \(quick.steps.count) steps in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    /// The checks can fail: a changed figure, a missing line, a line matched only in part, a command
    /// that no longer exists.
    @Test func theChecksCanFail() throws {
        let output = ["wrote results/brain.h5", "  c_outlet_mol_m3: 0.052132842288790705", "  iterations: 6"]
        #expect(Self.matches("  c_outlet_mol_m3: 0.05213…", output))
        #expect(Self.matches("iterations: 6", output))
        #expect(!Self.matches("  c_outlet_mol_m3: 0.05214…", output))
        #expect(!Self.matches("iterations: 7", output))
        #expect(!Self.matches("iterations:", output))
        #expect(!Self.matches("wrote …/liver.h5", output))
        #expect(Self.words("tissue run 'a b.toml' --set \"k=1 mol\"   # comment") == ["tissue", "run", "a b.toml", "--set", "k=1 mol"])
        let steps = try Self.quickStart(["## Quick start", "### j", "```sh", "$ tissue frobnicate x.toml", "done", "```", "## Next"]).steps
        guard case .shell(let line, let command, let shown)? = steps.first else {
            Issue.record("no step parsed")
            return
        }
        #expect(line == 4 && shown == ["done"])
        #expect(try CLI.run(Array(Self.words(command).dropFirst())).status != 0)
    }
}
