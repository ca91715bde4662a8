// Shared test helpers; see docs/architecture.md.
