import Testing
@testable import ScenarioFormat

/// YAML text composed into nodes from libyaml's events: positions, repeated keys, aliases, failures.
struct YAMLEventReaderTests {
    private func compose(_ yaml: String) throws -> YAMLEventReader.Document {
        try YAMLEventReader.compose(yaml).get()
    }

    private func problems(_ yaml: String) -> [String] {
        ScenarioReader.inspect(yaml: yaml, file: "x.yaml").problems.map(\.description)
    }

    // MARK: Repeated keys

    @Test func aDuplicateKeyIsFoundAtItsOwnLineAndColumn() throws {
        let doc = try compose("""
            scenario: x
            hosts:
              api: { run: first }
              client: {}
              api: { run: second }
            """)
        #expect(doc.duplicateKeys == [YAMLDuplicateKey(key: "api", firstLine: 3, line: 5, column: 3)])
        // The mapping keeps the first occurrence.
        let hosts = try #require(doc.root?.pairs?[1].value.pairs)
        #expect(hosts.map(\.key.scalar) == ["api", "client"])
        #expect(hosts[0].value.pairs?[0].value.scalar == "first")
    }

    @Test(arguments: ["|", ">", "|-", ">+"])
    func keyLikeTextInABlockScalarIsNotADuplicate(indicator: String) throws {
        let yaml = """
            scenario: block
            duration: 10s
            description: \(indicator)
              api:
                name: x
              api: again
            hosts:
              api:
                run: \(indicator)
                  api: { run: x }
                    name: x
                  api:
              client: {}
            """
        let doc = try compose(yaml)
        #expect(doc.duplicateKeys.isEmpty)
        #expect(problems(yaml).isEmpty)
        let run = try ScenarioReader.read(yaml: yaml, file: "x.yaml").get().hosts[0].run
        // Folding keeps the break before a more-indented line, so every style gives the same lines.
        #expect(run?.hasPrefix("api: { run: x }\n  name: x\napi:") == true, "\(run ?? "nil")")
    }

    /// Text searches took the later block scalar line, at the first key's column, for the repeat.
    @Test func aRepeatBeforeABlockScalarWithTheSameTextIsReportedWhereItIs() throws {
        let yaml = """
            scenario: block
            duration: 10s
            hosts:
              client: { run: "sleep 1", run: "sleep 2" }
              api:
                run: |
                        run: trap
            """
        #expect(problems(yaml) == [
            "x.yaml:4:29 hosts.client.run: 'run' appears twice (first on line 4); keys must be unique",
        ])
        let api = try #require(compose(yaml).root?.pairs?[2].value.pairs?[1].value)
        #expect(api.pairs?[0].value.scalar == "run: trap")
    }

    @Test func duplicatesInFlowMappingsAreFound() throws {
        let doc = try compose("hosts: { a: {}, b: { run: x, run: y }, a: {} }\n")
        #expect(doc.duplicateKeys == [
            YAMLDuplicateKey(key: "run", firstLine: 1, line: 1, column: 30),
            YAMLDuplicateKey(key: "a", firstLine: 1, line: 1, column: 40),
        ])
    }

    @Test func aKeyWrittenThreeTimesIsReportedAtEachRepeat() {
        #expect(problems("scenario: x\nduration: 5s\nhosts: { a: {}, a: {}, a: {} }\n") == [
            "x.yaml:3:17 hosts.a: 'a' appears twice (first on line 3); keys must be unique",
            "x.yaml:3:24 hosts.a: 'a' appears twice (first on line 3); keys must be unique",
        ])
    }

    @Test func aDuplicateInAnAliasedMappingIsReportedOnce() {
        #expect(problems("scenario: x\nduration: 5s\nhosts:\n  a: &h { run: x, run: y }\n  b: *h\n") == [
            "x.yaml:4:19 hosts.a.run: 'run' appears twice (first on line 4); keys must be unique",
        ])
    }

    @Test func twoDuplicatesAndAnUnrelatedProblemAreReportedTogether() {
        let yaml = """
            scenario: many
            duration: 10s
            hosts:
              api: { run: "sleep 60", run: "sleep 70" }
              client: {}
              api: {}
            faults:
              - { name: f, at: 1s, partition: { between: [client, api], mode: dorp } }
            """
        #expect(problems(yaml) == [
            "x.yaml:4:27 hosts.api.run: 'run' appears twice (first on line 4); keys must be unique",
            "x.yaml:6:3 hosts.api: 'api' appears twice (first on line 4); keys must be unique",
            "x.yaml:8:67 faults[0].partition.mode: unknown mode 'dorp'; allowed: drop, reject, reset (did you mean 'drop'?)",
        ])
    }

    @Test func aDuplicateUnderAnUnknownKeyIsStillReported() {
        let yaml = "scenario: x\nduration: 5s\nhosts: { a: {} }\nextra: { k: 1, k: 2 }\n"
        #expect(problems(yaml) == [
            "x.yaml:4:1 extra: unknown key 'extra'; allowed: scenario, description, seed, deterministic, duration, "
                + "network, ready-timeout, hosts, dns, faults, expect, expect-verdict, requires",
            "x.yaml:4:16: 'k' appears twice (first on line 4); keys must be unique",
        ])
    }

    // MARK: Aliases

    @Test func anAliasIsTheNodeItsAnchorNames() throws {
        let doc = try compose("""
            a: &server { run: "python3 -m http.server 8080", env: { MODE: fast } }
            b: *server
            c: &word hello
            d: *word
            """)
        let pairs = try #require(doc.root?.pairs)
        #expect(pairs[1].value == pairs[0].value)
        #expect(pairs[3].value.scalar == "hello")
        #expect(pairs[3].value.line == 3 && pairs[3].value.column == 4)
    }

    @Test func hostsSharingAnAnchoredBodyReadTheSame() throws {
        let s = try ScenarioReader.read(yaml: """
            scenario: shared
            duration: 10s
            hosts:
              api: &server { run: "python3 -m http.server 8080" }
              backup: *server
            """, file: "x.yaml").get()
        #expect(s.hosts.map(\.run) == ["python3 -m http.server 8080", "python3 -m http.server 8080"])
    }

    @Test func anUndefinedAliasIsASyntaxErrorAtTheAlias() {
        #expect(problems("scenario: x\nhosts: *nowhere\n") == [
            "x.yaml:2:8: YAML syntax error: found undefined alias 'nowhere'",
        ])
    }

    // MARK: Positions and scalars

    @Test func nestedNodesKnowTheirLineAndColumn() throws {
        let doc = try compose("""
            hosts:
              api:
                env: { MODE: fast }
            faults:
              - name: split
                partition: { between: [client, api] }
            """)
        let root = try #require(doc.root)
        #expect((root.line, root.column) == (1, 1))
        let api = try #require(root.pairs?[0].value.pairs?[0])
        #expect((api.key.line, api.key.column) == (2, 3))
        #expect((api.value.line, api.value.column) == (3, 5))
        let mode = try #require(api.value.pairs?[0].value.pairs?[0].value)
        #expect((mode.line, mode.column, mode.scalar) == (3, 18, "fast"))
        let fault = try #require(root.pairs?[1].value.items?[0])
        #expect((fault.line, fault.column) == (5, 5))
        let between = try #require(fault.pairs?[1].value.pairs?[0].value)
        #expect((between.line, between.column) == (6, 27))
        let second = try #require(between.items?[1])
        #expect((second.line, second.column, second.scalar) == (6, 36, "api"))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let doc = try compose("é: { ü: x }\n")
        let inner = try #require(doc.root?.pairs?[0].value.pairs?[0])
        #expect((inner.key.column, inner.value.column) == (6, 9))
    }

    @Test func onlyAPlainScalarCanBeNull() throws {
        let doc = try compose("a: ~\nb: null\nc:\nd: \"null\"\ne: 'null'\nf: \"80\"\ng: 80\nh: !!str 80\n")
        let values = try #require(doc.root?.pairs?.map(\.value))
        #expect(values.map(\.isNull) == [true, true, true, false, false, false, false, false])
        #expect(values[5].content == .scalar("80", .doubleQuoted) && values[6].content == .scalar("80", .plain))
        #expect(values[6].tag == nil && values[7].tag == "tag:yaml.org,2002:str")
    }

    @Test func anEmptyTextHasNoRoot() throws {
        #expect(try compose("").root == nil)
        #expect(try compose("# only a comment\n").root == nil)
    }

    // MARK: Failures

    @Test func aSyntaxErrorNamesLibyamlsProblemAndContextAtItsPosition() {
        #expect(problems("scenario: x\nhosts:\n  api: { run: \"a\"\n  client: {}\n") == [
            "x.yaml:4:3: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping on line 3)",
        ])
    }

    @Test func aSecondDocumentIsASyntaxError() {
        #expect(problems("scenario: x\n---\nscenario: y\n") == [
            "x.yaml:2:1: YAML syntax error: but found another document (expected a single document in the stream on line 1)",
        ])
    }

    @Test func aControlCharacterCannotBeReadAsText() {
        #expect(problems("scenario: x\nhosts: { a\u{1}: {} }\n") == [
            "x.yaml:2:11: cannot read the file as UTF-8 text: control characters are not allowed",
        ])
    }
}
