/// The command line's entry point.
package enum CommandLineTool {
    /// Runs the command named by `arguments` (without the program name) and returns the exit code.
    package static func main(arguments: [String]) async -> Int32 {
        0
    }
}
