import CLibYAML

/// Reads YAML text as libyaml's parser events (`yaml_parser_parse`) and composes them into a
/// ``YAMLNode`` tree with ``YAMLComposer``.
///
/// The only file that calls libyaml. Working from events, not from a finished tree, lets a repeated
/// key be recorded at its own line and column while its mapping is built, so a file shows every
/// duplicate together with every other problem.
enum YAMLEventReader {
    /// A composed document: its root (nil when the text holds none) and every repeated key in it.
    struct Document: Equatable, Sendable {
        var root: YAMLNode?
        var duplicateKeys: [YAMLDuplicateKey]
    }

    /// Why the text could not be read, at the position libyaml points at (1-based).
    struct Failure: Error, Equatable, Sendable {
        var line: Int
        var column: Int
        var message: String
    }

    /// One parser event, in Swift terms; positions are 1-based.
    enum Event: Equatable, Sendable {
        case documentStart(line: Int, column: Int)
        case scalar(String, YAMLNode.ScalarStyle, tag: String?, anchor: String?, line: Int, column: Int)
        case sequenceStart(tag: String?, anchor: String?, line: Int, column: Int)
        case sequenceEnd
        case mappingStart(tag: String?, anchor: String?, line: Int, column: Int)
        case mappingEnd
        case alias(String, line: Int, column: Int)
    }

    /// The single document in `text`; a second one is a failure, as a scenario file holds one.
    static func compose(_ text: String) -> Result<Document, Failure> {
        var composer = YAMLComposer()
        if let failure = parse(text, { composer.take($0) }) { return .failure(failure) }
        return .success(Document(root: composer.root, duplicateKeys: composer.duplicateKeys))
    }

    /// Hands every event of `text` to `handle`, in order, until the stream ends or `handle` returns
    /// a failure; nil when the whole text was read.
    static func parse(_ text: String, _ handle: (Event) -> Failure?) -> Failure? {
        // NUL-terminated so the pointer is never nil, even for empty text; libyaml reads `count` bytes.
        let bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
            defer { parser.deallocate() }
            guard yaml_parser_initialize(parser) == 1 else {
                return Failure(line: 1, column: 1, message: "YAML error: libyaml ran out of memory")
            }
            defer { yaml_parser_delete(parser) }
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count - 1)

            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else { return failure(parser.pointee, in: text) }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let e = Self.event(event), let failure = handle(e) { return failure }
            }
        }
    }

    // MARK: libyaml to Swift

    /// The event in Swift terms; nil for the stream start and document end, which carry nothing
    /// the composer needs.
    private static func event(_ e: yaml_event_t) -> Event? {
        let line = Int(e.start_mark.line) + 1
        let column = Int(e.start_mark.column) + 1
        switch e.type {
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(line: line, column: column)
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            return .scalar(value, style(s.style), tag: string(s.tag), anchor: string(s.anchor),
                           line: line, column: column)
        case YAML_SEQUENCE_START_EVENT:
            let s = e.data.sequence_start
            return .sequenceStart(tag: string(s.tag), anchor: string(s.anchor), line: line, column: column)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = e.data.mapping_start
            return .mappingStart(tag: string(m.tag), anchor: string(m.anchor), line: line, column: column)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        case YAML_ALIAS_EVENT:
            return .alias(string(e.data.alias.anchor) ?? "", line: line, column: column)
        default:
            return nil
        }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: $0) }
    }

    /// The parser's error as a problem: `problem (context on line N)` at libyaml's problem mark.
    private static func failure(_ parser: yaml_parser_t, in text: String) -> Failure {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_READER_ERROR:
            // A reader error has a byte offset, not a mark.
            let (line, column) = position(ofByte: parser.problem_offset, in: text)
            return Failure(line: line, column: column, message: "cannot read the file as UTF-8 text: \(problem)")
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_COMPOSER_ERROR:
            let context = parser.context.map {
                " (\(String(cString: $0)) on line \(parser.context_mark.line + 1))"
            } ?? ""
            return Failure(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1,
                           message: "YAML syntax error: \(problem)\(context)")
        case YAML_MEMORY_ERROR:
            return Failure(line: 1, column: 1, message: "YAML error: libyaml ran out of memory")
        default:
            return Failure(line: 1, column: 1, message: "YAML error: \(problem)")
        }
    }

    /// 1-based line and column (in Unicode scalars, as libyaml's marks count) of a byte offset.
    private static func position(ofByte offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
