// The Expressions target; see docs/architecture.md.
