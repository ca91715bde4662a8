/// Splits `--stdio CMD` into a program and its arguments as a POSIX shell splits words, without
/// running a shell: blanks separate words; single quotes keep everything up to the next one;
/// inside double quotes a backslash escapes only `"`, `\`, `$` and a backquote (and is kept
/// before anything else); a backslash outside quotes keeps the next character. Nothing is
/// expanded (`$HOME`, `~`, `*` stay as written).
///
/// Self-contained (no imports), so `scripts/fuzz words` compiles it on its own.
enum CommandWords {
    /// Why a command line has no words to run; `OneShotServer` turns it into a usage error.
    struct Problem: Error {
        var message: String
        var hint: String
    }

    /// The words of `text`.
    /// - Throws: `Problem` for an unterminated quote, a trailing backslash, or no word at all.
    static func split(_ text: String, option: String = "--stdio") throws(Problem) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                if quote == "\"", !"\"\\$`".contains(character) { current.append("\\") }
                current.append(character)
                escaped = false
                continue
            }
            switch quote {
            case "'":
                if character == "'" { quote = nil } else { current.append(character) }
            case "\"":
                if character == "\"" {
                    quote = nil
                } else if character == "\\" {
                    escaped = true
                } else {
                    current.append(character)
                }
            default:
                if character == " " || character == "\t" || character == "\n" {
                    if inWord { words.append(current) }
                    current = ""
                    inWord = false
                } else {
                    inWord = true
                    if character == "'" || character == "\"" {
                        quote = character
                    } else if character == "\\" {
                        escaped = true
                    } else {
                        current.append(character)
                    }
                }
            }
        }
        if let quote {
            throw Problem(
                message: "\(option) has an unterminated \(quote)",
                hint: "close the quote, e.g. \(option) 'python server.py --name \"my server\"'")
        }
        if escaped {
            throw Problem(
                message: "\(option) ends with a lone backslash", hint: "remove it, or write \\\\ for a backslash")
        }
        if inWord { words.append(current) }
        guard !words.isEmpty else {
            throw Problem(
                message: "\(option) names no command",
                hint: "give the server's command line, e.g. \(option) 'npx -y @modelcontextprotocol/server-everything'")
        }
        return words
    }
}
