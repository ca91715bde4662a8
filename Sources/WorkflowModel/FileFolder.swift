/// The folder a file's relative paths resolve against (contract §2, Paths): a relative path
/// written in a workflow or a `--servers` file is taken from that file's folder, so the file
/// works the same from cron, CI or any directory.
package enum FileFolder {
    /// The folder of `file` as the user named it: `flows` for `flows/a.yaml`, `/` for `/a.yaml`,
    /// `.` for `a.yaml` (the current directory).
    package static func of(_ file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let folder = String(file[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// `path` taken from `folder`: an absolute path (or no folder) is kept; `folder/path` otherwise.
    package static func resolve(_ path: String, in folder: String?) -> String {
        guard let folder, !path.hasPrefix("/"), folder != "." else { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }
}
