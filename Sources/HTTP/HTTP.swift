// The HTTP target; see docs/architecture.md.
