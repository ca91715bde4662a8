// The Runner target; see docs/architecture.md.
