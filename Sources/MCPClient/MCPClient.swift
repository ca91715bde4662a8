// The MCPClient target; see docs/architecture.md.
