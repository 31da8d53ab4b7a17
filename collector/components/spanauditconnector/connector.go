package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// auditConnector sits at the end of a traces pipeline and feeds a logs pipeline with one
// codex.tool_decision record per aborted tool span. The spans themselves are untouched:
// the traces pipeline's other exporters (Tempo) still receive them.
type auditConnector struct {
	component.StartFunc
	component.ShutdownFunc

	selector spanSelector
	next     consumer.Logs
	logger   *zap.Logger
}

func newAuditConnector(cfg *Config, next consumer.Logs, logger *zap.Logger) *auditConnector {
	return &auditConnector{selector: newSpanSelector(cfg), next: next, logger: logger}
}

func (c *auditConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// ConsumeTraces forwards the derived records, if any, and returns the logs pipeline's
// error so that a refused batch is retried by the sender like any other refusal.
func (c *auditConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	logs := deriveDecisions(td, c.selector)
	n := logs.LogRecordCount()
	if n == 0 {
		return nil
	}
	c.logger.Debug("derived audit records from aborted tool spans", zap.Int("records", n))
	return c.next.ConsumeLogs(ctx, logs)
}
