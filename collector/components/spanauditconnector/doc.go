//go:generate mdatagen metadata.yaml

// Package spanauditconnector turns aborted tool-call spans into codex.tool_decision
// audit log records, so that a denial that exists only as a span (a Codex TUI denial)
// reaches the log-based audit stream.
package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"
