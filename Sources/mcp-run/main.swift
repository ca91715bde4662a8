import CLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(await CommandLineTool.main(arguments: Array(CommandLine.arguments.dropFirst())))
