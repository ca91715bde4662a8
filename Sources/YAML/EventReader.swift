import Basics
import CYAML

/// One libyaml parser event, copied out of C into Swift values.
enum Event {
    /// The properties a node event may carry.
    struct Properties {
        /// The anchor (`&name`) without its `&`.
        var anchor: String?
        /// The explicit tag, shortened (`!!str`).
        var tag: String?
    }

    case streamStart
    case streamEnd
    case documentStart(SourceLocation)
    case documentEnd
    case alias(String, SourceLocation)
    case scalar(String, YAMLScalar.Style, Properties, SourceLocation)
    case sequenceStart(Properties, SourceLocation)
    case sequenceEnd
    case mappingStart(Properties, SourceLocation)
    case mappingEnd
}

/// Owns a libyaml parser and its input, and hands out its events as Swift values.
///
/// Every C resource lives here and is released in `deinit`: the `yaml_parser_t` (which must not move, since
/// libyaml keeps a pointer to it as its read handler's data) and a copy of the input bytes (which libyaml reads
/// from while parsing). Nothing C-typed leaves this class. Used by one thread at a time, within one
/// `YAMLParser.parse` call.
final class EventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// A copy of the input: its first `inputLength` bytes (an empty input still gets a one-byte buffer).
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let inputLength: Int
    private let isInitialized: Bool
    private let file: String

    /// Prepares to parse `text`; `file` names it in every location.
    ///
    /// A leading byte order mark is dropped: libyaml would count it as a column, and editors do not show it.
    init(text: String, file: String) {
        self.file = file
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        let utf8 = body.utf8
        input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(utf8.count, 1))
        inputLength = input.initialize(from: utf8).index
        parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        isInitialized = yaml_parser_initialize(parser) != 0
        if isInitialized, let base = input.baseAddress {
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, base, inputLength)
        }
    }

    deinit {
        if isInitialized { yaml_parser_delete(parser) }
        parser.deinitialize(count: 1)
        parser.deallocate()
        input.baseAddress?.deinitialize(count: inputLength)
        input.deallocate()
    }

    /// The next event.
    ///
    /// - Throws: `YAMLError` with code `.syntax` (scanner and parser errors, at libyaml's problem mark) or
    ///   `.invalidCharacter` (reader errors, at the offending byte).
    func next() throws(YAMLError) -> Event {
        guard isInitialized else {
            throw YAMLError(
                code: .syntax, message: "libyaml could not allocate a parser",
                location: SourceLocation(file: file, line: 1, column: 1))
        }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) != 0 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        let location = location(of: event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_STREAM_END_EVENT:
            return .streamEnd
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(location)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(Self.string(event.data.alias.anchor) ?? "", location)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            }
            let properties = Event.Properties(
                anchor: Self.string(scalar.anchor), tag: Self.string(scalar.tag).map(Self.shortened))
            return .scalar(text ?? "", Self.style(scalar.style), properties, location)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            let properties = Event.Properties(
                anchor: Self.string(start.anchor), tag: Self.string(start.tag).map(Self.shortened))
            return .sequenceStart(properties, location)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            let properties = Event.Properties(
                anchor: Self.string(start.anchor), tag: Self.string(start.tag).map(Self.shortened))
            return .mappingStart(properties, location)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_NO_EVENT is only produced after an error, which was thrown above.
            throw YAMLError(code: .syntax, message: "libyaml produced no event", location: location)
        }
    }

    /// The parser's current error as a `YAMLError`.
    private func currentError() -> YAMLError {
        let error = parser.pointee
        let problem = error.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch error.error {
        case YAML_READER_ERROR:
            var message = problem
            if error.problem_value >= 0 {
                let hex = String(error.problem_value, radix: 16, uppercase: true)
                message += " (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
            }
            return YAMLError(
                code: .invalidCharacter, message: message, location: location(ofByte: error.problem_offset))
        case YAML_MEMORY_ERROR:
            return YAMLError(
                code: .syntax, message: "libyaml ran out of memory", location: location(of: error.problem_mark))
        default:
            var message = problem
            if let context = error.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(error.context_mark.line + 1):\(error.context_mark.column + 1))"
            }
            return YAMLError(
                code: .syntax, message: message, hint: Self.hint(forProblem: problem),
                location: location(of: error.problem_mark))
        }
    }

    /// A 1-based location from libyaml's 0-based mark (whose column counts characters, as ours does).
    private func location(of mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
    }

    /// The 1-based location of the character containing byte `offset` of the input.
    private func location(ofByte offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, inputLength)
        while index < end {
            let byte = input[index]
            let isLineFeed = byte == UInt8(ascii: "\n")
            // A lone CR breaks a line; in CRLF only the LF does.
            let isLoneCarriageReturn =
                byte == UInt8(ascii: "\r") && (index + 1 == inputLength || input[index + 1] != UInt8(ascii: "\n"))
            if isLineFeed || isLoneCarriageReturn {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != UInt8(ascii: "\r") {
                // Count a scalar at its first byte, never at a UTF-8 continuation byte.
                column += 1
            }
            index += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// `tag:yaml.org,2002:str` → `!!str`; other tags as libyaml resolved them.
    private static func shortened(_ tag: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// An imperative hint for the libyaml problems people meet most.
    private static func hint(forProblem problem: String) -> String? {
        switch problem {
        case "mapping values are not allowed in this context":
            return "quote a value that contains ': ', or check the indentation of this key"
        case "found character that cannot start any token":
            return "indent with spaces, not tabs, and quote values that start with '@' or '`'"
        case "did not find expected key":
            return "check the indentation: keys of one mapping must line up"
        default:
            return nil
        }
    }
}
