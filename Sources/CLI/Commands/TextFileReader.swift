import Basics
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the text files a command is given (workflow, `--inputs`, `--secrets`, `--servers`) with
/// the system's own reason when that fails, never Foundation's generic text.
///
/// Pipes and process substitutions (`--secrets <(pass show ci)`) are read like files; a folder, a
/// socket, and anything past `limit` bytes (`/dev/zero`) are refused.
enum TextFileReader {
    /// The largest file read: 64 MiB.
    static let limit = 64 << 20

    /// The text of `path`.
    /// - Parameter what: the file's role, for messages (`workflow file`).
    /// - Throws: `WorkflowError` with code `.fileNotReadable` naming the path and the reason.
    static func contents(of path: String, what: String, currentFolder: @autoclosure () -> String) throws -> String {
        let failure = { (reason: String, hint: String) -> WorkflowError in
            WorkflowError(code: .fileNotReadable(path), message: "\(what) '\(path)' \(reason)", hint: hint)
        }
        guard !path.isEmpty else {
            throw WorkflowError(
                code: .fileNotReadable(path), message: "the \(what) path is empty", hint: "give the file's path")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            let number = errno
            switch number {
            case ENOENT:
                throw failure("does not exist", "check the path; it is relative to \(currentFolder())")
            case EACCES, EPERM:
                throw failure("cannot be read: permission denied", "check the file's permissions (ls -l '\(path)')")
            case ENOTDIR:
                throw failure("cannot be read: a part of the path is a file, not a folder", "check the path")
            case ENXIO:
                throw failure("is a socket, not a file", "give the path of a file")
            default:
                throw failure("cannot be read: \(systemErrorText(number))", "check the path")
            }
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                throw failure("is a folder, not a file", "give the path of a file inside it")
            case S_IFSOCK:
                throw failure("is a socket, not a file", "give the path of a file")
            default:
                break
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let number = errno
                if number == EINTR { continue }
                if number == EISDIR { throw failure("is a folder, not a file", "give the path of a file inside it") }
                throw failure("cannot be read: \(systemErrorText(number))", "check the file")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > limit {
                throw failure("is larger than \(limit >> 20) MiB", "give the path of a text file")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WorkflowError(
                code: .fileNotReadable(path), message: "\(what) '\(path)' is not UTF-8 text",
                context: ErrorContext(location: SourceLocation(file: path, line: 1, column: 1)))
        }
        return text
    }
}
