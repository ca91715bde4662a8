// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mcp-run",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mcp-run", targets: ["mcp-run"])
    ],
    targets: [
        // The C edge. Nothing else in the package mentions C.
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(name: "CSpawn"),

        .target(name: "Basics", dependencies: ["CSpawn"]),
        .target(name: "YAML", dependencies: ["Basics", "CYAML"]),
        .target(name: "Expressions", dependencies: ["Basics"]),
        .target(name: "WorkflowModel", dependencies: ["Basics", "YAML", "Expressions"]),
        .target(name: "HTTP", dependencies: ["Basics", "CCurl", "CCurlShim"]),
        .target(name: "MCPClient", dependencies: ["Basics", "HTTP"]),
        .target(name: "Results", dependencies: ["Basics"]),
        .target(name: "HTTPServer", dependencies: ["Basics"]),
        .target(
            name: "Runner", dependencies: ["Basics", "WorkflowModel", "Expressions", "MCPClient", "Results", "HTTP"]),
        .target(
            name: "Gateway", dependencies: ["Basics", "HTTPServer", "MCPClient", "Results", "Runner", "WorkflowModel"]),
        .target(
            name: "CLI",
            dependencies: ["Basics", "YAML", "WorkflowModel", "MCPClient", "Results", "Runner", "Gateway", "HTTPServer", "HTTP"]),
        .executableTarget(name: "mcp-run", dependencies: ["CLI"]),

        .target(name: "TestSupport", dependencies: ["Basics"], path: "Tests/TestSupport"),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "Basics"]),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "Basics"]),
        .testTarget(name: "WorkflowModelTests", dependencies: ["WorkflowModel", "Expressions", "Basics"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Basics", "TestSupport"]),
        .testTarget(name: "MCPClientTests", dependencies: ["MCPClient", "HTTP", "Basics"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Basics"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "Basics", "TestSupport"]),
        .testTarget(name: "GatewayTests", dependencies: ["Basics", "HTTP", "TestSupport"]),
        .testTarget(
            name: "RunnerTests",
            dependencies: ["Runner", "WorkflowModel", "Expressions", "MCPClient", "HTTP", "Results", "Basics"]),
        .testTarget(
            name: "CLITests",
            dependencies: ["CLI", "Runner", "Results", "MCPClient", "WorkflowModel", "YAML", "Basics", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["MCPClient", "HTTP", "Basics", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Basics", "TestSupport"], exclude: ["Fixtures"]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
