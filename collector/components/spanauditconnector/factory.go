package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/codex-otel/codex-otel/collector/components/spanauditconnector/internal/metadata"
)

// NewFactory is what the builder's generated components.go calls.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToLogs(createTracesToLogs, metadata.TracesToLogsStability),
	)
}

func createTracesToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Traces, error) {
	return newAuditConnector(cfg.(*Config), next, set.Logger), nil
}
