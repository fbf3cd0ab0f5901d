import FaultlineCore
import Foundation
@testable import ScenarioFormat
import Testing

/// Folders found from this file's path, since the test target has no resources.
private enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let broken = tests.appendingPathComponent("Fixtures/broken")
    static let repo = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let scenarios = repo.appendingPathComponent("scenarios")

    /// Every `.yaml` file below `folder`, sub-folders included (`library/…`), as relative paths.
    static func yamlFiles(in folder: URL) -> [String] {
        let names = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }
}

/// One `line:column path: message-substring` line of a fixture's `.expected` file.
private struct ExpectedProblem: CustomStringConvertible {
    var line: Int
    var column: Int
    var path: String
    var fragment: String

    init?(_ text: Substring) {
        let head = text.prefix { $0 != " " }
        let position = head.split(separator: ":")
        let rest = text.dropFirst(head.count + 1)
        guard position.count == 2, let l = Int(position[0]), let c = Int(position[1]),
              let colon = rest.range(of: ": ") else { return nil }
        line = l
        column = c
        path = String(rest[..<colon.lowerBound])
        fragment = String(rest[colon.upperBound...])
    }

    func matches(_ p: ScenarioProblem) -> Bool {
        p.line == line && p.column == column && p.path == path
            && (p.message.contains(fragment) || p.description.contains(fragment))
    }

    var description: String { "\(line):\(column) \(path): \(fragment)" }
}

struct ScenarioReaderTests {
    // MARK: Good files

    @Test func quickstartDecodesToExactModelValues() throws {
        let file = Paths.scenarios.appendingPathComponent("quickstart.yaml").path
        let scenario = try ScenarioReader.read(file: file).get()
        let expected = Scenario(
            name: "quickstart",
            description: "the client must ride out a 5 s partition and recover within 2 s",
            seed: 42, duration: .seconds(20), network: .defaultTestbed, readyTimeout: .seconds(30),
            hosts: [
                Host(name: "api", run: "python3 -m http.server 8080", ready: .tcp(host: "api", port: 8080)),
                Host(name: "client", run: "./clients/poll.sh http://api:8080/", env: ["MODE": "fast"]),
                Host(name: "idle"),
            ],
            faults: [
                Fault(name: "split", at: .seconds(5), duration: .seconds(5), kind: .partition(Partition(
                    cuts: [DirectedPair(from: "client", to: "api"), DirectedPair(from: "api", to: "client")],
                    mode: .drop))),
            ],
            expectations: [
                ScenarioFormat.Expectation(name: "client survives the partition",
                            kind: .process(ProcessExpectation(host: "client", running: true))),
                ScenarioFormat.Expectation(
                    name: "recovers", window: Window(after: "split", within: .seconds(2)),
                    kind: .probe(ProbeExpectation(
                        from: "client", target: .http(URLTarget(host: "api", port: 8080, path: "/")),
                        every: .milliseconds(200), timeout: .seconds(1),
                        success: RatioRequirement(.atLeast, Percentage(percent: 99))))),
                ScenarioFormat.Expectation(
                    name: "does not storm the server while cut off", window: Window(during: "split"),
                    kind: .noStorm(NoStormExpectation(traffic: TrafficSelector(from: "client", to: "api"), factor: 2))),
                ScenarioFormat.Expectation(
                    name: "the client's own requests succeed again soon after the heal", window: Window(after: "split"),
                    kind: .recovery(RecoveryExpectation(traffic: TrafficSelector(from: "client", to: "api"), within: .seconds(2)))),
            ],
            file: file, requirements: [
                Requirement(.command("curl"), package: "curl"), Requirement(.command("python3"), package: "python3"),
            ])
        #expect(scenario == expected)
    }

    @Test func partitionShapesExpandToDirectedPairs() throws {
        let yaml = """
            scenario: shapes
            duration: 10s
            hosts: { a: {}, b: {}, c: {} }
            faults:
              - { name: one-way, at: 1s, for: 1s, partition: { from: a, to: [b, c], mode: reject } }
              - { name: groups, at: 3s, for: 1s, partition: { groups: [[a], [b, c]], mode: reset } }
            expect:
              - { name: t, before: one-way, probe: { from: a, tcp: "198.18.0.3:80", success: "< 5%" } }
            """
        let s = try ScenarioReader.read(yaml: yaml, file: "shapes.yaml").get()
        #expect(s.faults[0].kind == .partition(Partition(
            cuts: [DirectedPair(from: "a", to: "b"), DirectedPair(from: "a", to: "c")], mode: .reject)))
        #expect(s.faults[1].kind == .partition(Partition(
            cuts: [DirectedPair(from: "a", to: "b"), DirectedPair(from: "a", to: "c"),
                   DirectedPair(from: "b", to: "a"), DirectedPair(from: "c", to: "a")], mode: .reset)))
        #expect(s.expectations[0].kind == .probe(ProbeExpectation(
            from: "a", target: .tcp(host: "198.18.0.3", port: 80),
            success: RatioRequirement(.less, Percentage(percent: 5)))))
        #expect(s.network == .defaultTestbed && s.seed == 0 && s.readyTimeout == .seconds(30))
    }

    @Test func expectationWeightIsAWholeNumberFromOneToAHundred() throws {
        let yaml = """
            scenario: weights
            duration: 10s
            hosts: { a: { run: "sleep 60" } }
            expect:
              - { name: heavy, weight: 5, process: { host: a, running: true } }
              - { name: plain, process: { host: a, running: true } }
              - { name: zero, weight: 0, process: { host: a, running: true } }
            """
        let outcome = ScenarioReader.inspect(yaml: yaml, file: "weights.yaml")
        #expect(outcome.errors.map(\.description) == [
            "weights.yaml:7:27 expect[2].weight: weight must be a whole number from 1 to 100, found 0",
        ])
        let fixed = try ScenarioReader.read(yaml: yaml.replacingOccurrences(of: "weight: 0", with: "weight: 100"), file: "w.yaml").get()
        #expect(fixed.expectations.map(\.weight) == [5, nil, 100])
    }

    @Test func everyShippedScenarioReadsWithoutProblems() throws {
        let files = Paths.yamlFiles(in: Paths.scenarios)
        #expect(files.count >= 4)
        for name in files {
            let outcome = ScenarioReader.inspect(file: Paths.scenarios.appendingPathComponent(name).path)
            #expect(outcome.problems.isEmpty, "\(name):\n\(ScenarioProblems(outcome.problems))")
            #expect(outcome.scenario != nil, "\(name)")
        }
    }

    @Test func libraryScenariosInSubFoldersAreRead() {
        #expect(Paths.yamlFiles(in: Paths.scenarios).contains { $0.hasPrefix("library/") })
    }

    @Test(arguments: [("fail", ExpectedVerdict.fail), ("pass", .pass)])
    func expectVerdictIsRead(text: String, verdict: ExpectedVerdict) throws {
        let yaml = "scenario: x\nduration: 5s\nexpect-verdict: \(text)\nhosts: { a: {} }\n"
        #expect(try ScenarioReader.read(yaml: yaml, file: "x.yaml").get().expectedVerdict == verdict)
    }

    @Test func requirementsAreReadWithTheirInstallerAndSurviveJSON() throws {
        let yaml = """
            scenario: x
            duration: 5s
            requires:
              - { command: etcd, package: etcd-server }
              - { file: /usr/lib/python3/dist-packages/etcd3, package: python3-etcd3 }
              - { python: consul, pip: py-consul }
              - { python: email.mime, package: python3 }
              - { python: consul, interpreter: ../../.venv/bin/python3, pip: py-consul }
            hosts: { a: {} }
            """
        let scenario = try ScenarioReader.read(yaml: yaml, file: "x.yaml").get()
        let expected = [
            Requirement(.command("etcd"), package: "etcd-server"),
            Requirement(.file("/usr/lib/python3/dist-packages/etcd3"), package: "python3-etcd3"),
            Requirement(.python("consul"), package: "py-consul", installer: .pip),
            Requirement(.python("email.mime"), package: "python3", installer: .apt),
            Requirement(.python("consul"), package: "py-consul", installer: .pip, interpreter: "../../.venv/bin/python3"),
        ]
        #expect(scenario.requirements == expected)
        #expect(scenario.requirements.map(\.description)[2] == "python module consul (pip package py-consul)")
        #expect(scenario.requirements.map(\.description)[4] == "python module consul of ../../.venv/bin/python3 (pip package py-consul)")
        let json = try JSONEncoder().encode(expected)
        #expect(try JSONDecoder().decode([Requirement].self, from: json) == expected)
        // A Debian requirement is written as before pip ones existed: no installer key.
        #expect(!String(decoding: try JSONEncoder().encode(expected[0]), as: UTF8.self).contains("installer"))
        #expect(!String(decoding: try JSONEncoder().encode(expected[2]), as: UTF8.self).contains("interpreter"))
        #expect(String(decoding: try JSONEncoder().encode(expected[2]), as: UTF8.self).contains(#""installer":"pip""#))
    }

    @Test func expectVerdictDefaultsToPassAndRejectsOtherWords() throws {
        let plain = "scenario: x\nduration: 5s\nhosts: { a: {} }\n"
        #expect(try ScenarioReader.read(yaml: plain, file: "x.yaml").get().expectedVerdict == .pass)
        let outcome = ScenarioReader.inspect(yaml: plain + "expect-verdict: fial\n", file: "x.yaml")
        #expect(outcome.scenario == nil)
        #expect(outcome.problems.map(\.description) == [
            "x.yaml:4:17 expect-verdict: unknown verdict 'fial'; allowed: pass, fail (did you mean 'fail'?)",
        ])
    }

    @Test func overlappingPartitionsInTheSameModeAreOnlyAWarning() throws {
        let yaml = """
            scenario: twice
            duration: 10s
            hosts: { a: {}, b: {} }
            faults:
              - { name: first, at: 1s, for: 4s, partition: { between: [a, b] } }
              - { name: second, at: 2s, for: 1s, partition: { from: a, to: b } }
            """
        let outcome = ScenarioReader.inspect(yaml: yaml, file: "twice.yaml")
        #expect(outcome.scenario != nil)
        #expect(outcome.warnings.map(\.description) == [
            "twice.yaml:6:49 faults[1].partition: warning: cuts a→b which 'first' (line 5) already cuts (drop) "
                + "from 2s to 3s",
        ])
        #expect(try ScenarioReader.read(yaml: yaml, file: "twice.yaml").get().faults.count == 2)
    }

    @Test func problemsDescribeThemselvesOnOneLine() {
        let p = ScenarioProblem(file: "scenarios/x.yaml", line: 14, column: 7, path: "faults[1].partition.mode",
                                message: "unknown mode 'dorp'; allowed: drop, reject, reset (did you mean 'drop'?)")
        #expect(p.description == "scenarios/x.yaml:14:7 faults[1].partition.mode: unknown mode 'dorp'; "
            + "allowed: drop, reject, reset (did you mean 'drop'?)")
    }

    @Test func aMissingFileIsOneProblem() {
        let result = ScenarioReader.read(file: "/nonexistent/x.yaml")
        guard case .failure(let problems) = result else { Issue.record("read a missing file"); return }
        #expect(problems.problems.count == 1)
        #expect(problems.description.hasPrefix("/nonexistent/x.yaml: cannot read the file"))
    }

    // MARK: Broken files

    static let brokenFiles = Paths.yamlFiles(in: Paths.broken)

    @Test(arguments: brokenFiles)
    func brokenFileReportsEveryExpectedProblemAtItsPosition(name: String) throws {
        let yamlURL = Paths.broken.appendingPathComponent(name)
        let expectedURL = yamlURL.deletingPathExtension().appendingPathExtension("expected")
        let expectedText = try String(contentsOf: expectedURL, encoding: .utf8)
        let expected = expectedText.split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { line -> ExpectedProblem in
                guard let e = ExpectedProblem(line) else { fatalError("bad line in \(expectedURL.path): \(line)") }
                return e
            }
        let outcome = ScenarioReader.inspect(file: yamlURL.path)
        let report = ScenarioProblems(outcome.problems).description
        #expect(outcome.scenario == nil, "\(name) should not read")
        for e in expected {
            #expect(outcome.problems.contains(where: e.matches), "\(name): missing \(e)\nreported:\n\(report)")
        }
        // Nothing reported that the fixture does not list.
        for p in outcome.problems {
            #expect(expected.contains { $0.matches(p) }, "\(name): unexpected \(p)")
        }
    }

    @Test func theFileWithManyProblemsReportsThemAllAtOnce() {
        let outcome = ScenarioReader.inspect(file: Paths.broken.appendingPathComponent("many-problems.yaml").path)
        #expect(outcome.errors.count >= 10, "\(ScenarioProblems(outcome.problems))")
        let lines = outcome.problems.map(\.line)
        #expect(lines == lines.sorted())
    }
}
