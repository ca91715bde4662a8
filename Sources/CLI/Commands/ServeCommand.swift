import Basics
import Foundation
import Gateway
import HTTPServer
import YAML

/// `mcp-run serve`: the HTTP gateway of contract §9, until SIGTERM or SIGINT.
struct ServeCommand {
    var context: CommandContext

    /// How long requests in flight may take to finish once a stop signal arrived.
    static let shutdownGrace = Duration.seconds(20)

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        let listen = parsed.value(.listen) ?? "127.0.0.1:8080"
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port), colon > listen.startIndex
        else {
            throw UsageError(
                code: .invalidValue(option: "--listen", value: listen), message: "--listen must be HOST:PORT",
                hint: "for example --listen 127.0.0.1:8080, or --listen 0.0.0.0:$PORT behind a proxy")
        }
        let host = String(listen[..<colon])
        if let url = parsed.value(.publicURL) {
            let components = URLComponents(string: url)
            guard let scheme = components?.scheme, scheme == "http" || scheme == "https",
                components?.host?.isEmpty == false, components?.query == nil
            else {
                throw UsageError(
                    code: .invalidValue(option: "--public-url", value: url),
                    message: "--public-url must be an http or https URL without a query",
                    hint: "for example --public-url https://gw.example.com")
            }
        }
        guard let key = context.environment["MCP_RUN_API_KEY"], !key.isEmpty else {
            throw UsageError(
                code: .missingArgument("MCP_RUN_API_KEY"), message: "'serve' needs MCP_RUN_API_KEY",
                hint: "set MCP_RUN_API_KEY to a long random value; clients send it in the X-API-Key header")
        }
        let apiKey = Secret.credential(key)
        let servers = try context.sources.extraServers(serversFile: parsed.value(.servers))
        // The definitions as written (JSON or YAML), so the API can show them with credentials
        // masked, and mask any of their credentials a server echoes back.
        var definitions: [String: JSONValue] = [:]
        func written(in text: String, file: String) -> [String: JSONValue] {
            guard let root = try? YAMLParser.parse(text, file: file).root, case .object(let members) = root.toJSON()
            else { return [:] }
            return members
        }
        if let text = context.environment["MCP_SERVERS"] {
            definitions = written(in: text, file: "MCP_SERVERS")
        }
        if let file = parsed.value(.servers) {
            let text = try context.sources.read(file, what: "servers file")
            definitions.merge(written(in: text, file: file)) { _, fromFile in fromFile }
        }
        let secrets = try context.sources.secrets(file: parsed.value(.secrets))
        let masker = SecretMasker(Array(secrets.values) + [apiKey])
        let logger = context.logger(masker: masker)
        var settings = GatewaySettings(
            apiKey: apiKey, publicURL: "", fixedServers: servers, fixedDefinitions: definitions, secrets: secrets,
            environment: context.environment,
            registryPath: GatewaySettings.defaultRegistryPath(environment: context.environment))
        if let folder = parsed.value(.workflows) {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw UsageError(
                    code: .invalidValue(option: "--workflows", value: folder),
                    message: "--workflows '\(folder)' is not a folder",
                    hint: "name the folder holding the workflow files")
            }
            settings.workflowsDirectory = (folder as NSString).standardizingPath
        }
        let router: RequestRouter
        let console = context.console
        let listener: HTTPListener
        do {
            // The router needs the public URL, which needs the bound port: bind first, route after.
            let routerBox = Locked<RequestRouter?>(nil)  // set once below, before any request can be routed
            listener = try HTTPListener(
                host: host, port: port,
                log: { entry in
                    console.err(
                        masker.mask(
                            "\(entry.method) \(entry.path) \(entry.status) \(entry.duration.milliseconds)ms"))
                },
                handler: { request in
                    guard let router = routerBox.withLock({ $0 }) else {
                        return .error(503, "starting", "the gateway is starting; try again")
                    }
                    return await router.respond(to: request)
                })
            settings.publicURL = Self.trimmedURL(parsed.value(.publicURL) ?? "http://\(host):\(listener.port)")
            router = try RequestRouter(settings: settings, logger: logger)
            routerBox.withLock { $0 = router }
        } catch let error as ListenError {
            throw UsageError(
                code: .invalidValue(option: "--listen", value: listen), message: error.message,
                hint: error.isBadAddress
                    ? "give an IPv4 address (127.0.0.1, 0.0.0.0) or localhost, and a port from 0 to 65535"
                    : "choose another port, or stop what is listening on it")
        }
        console.err("mcp-run serve: listening on http://\(host):\(listener.port) (public URL \(settings.publicURL))")
        await SignalHandling.runCancellable { await Self.waitForCancellation() }
        console.err("mcp-run serve: stopping; waiting for requests in flight")
        let finished = await listener.stop(grace: Self.shutdownGrace)
        await router.closeSessions()
        if !finished {
            console.err(
                "mcp-run serve: requests still in flight after \(Self.shutdownGrace.humanReadable) were dropped")
        }
        console.err("mcp-run serve: stopped")
        return .succeeded
    }

    /// Suspends until the task is cancelled (by the first SIGINT, SIGTERM or SIGHUP).
    private static func waitForCancellation() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
    }

    private static func trimmedURL(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
