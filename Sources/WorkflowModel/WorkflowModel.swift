// The WorkflowModel target; see docs/architecture.md.
