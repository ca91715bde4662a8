// The Results target; see docs/architecture.md.
