package spanauditconnector

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
)

func TestFactoryDeclaresTracesToLogsOnly(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, "spanaudit", f.Type().String())
	assert.Equal(t, component.StabilityLevelDevelopment, f.TracesToLogsStability())
	assert.Equal(t, component.StabilityLevelUndefined, f.TracesToMetricsStability())

	_, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()),
		f.CreateDefaultConfig(), consumertest.NewNop())
	assert.ErrorIs(t, err, pipeline.ErrSignalNotSupported)
}

// startFromConfig builds the connector the way the collector's service does: config
// unmarshalled from YAML and validated, the factory called with connector settings, and
// a router that fans out to every logs pipeline the connector feeds.
func startFromConfig(t *testing.T, name string, next map[pipeline.ID]consumer.Logs) connector.Traces {
	t.Helper()
	cfg, err := loadConfig(t, name)
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())

	f := NewFactory()
	conn, err := f.CreateTracesToLogs(context.Background(), connectortest.NewNopSettings(f.Type()), cfg,
		connector.NewLogsRouter(next))
	require.NoError(t, err)
	require.NoError(t, conn.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, conn.Shutdown(context.Background())) })
	return conn
}

func TestConnectorFeedsEveryLogsPipeline(t *testing.T) {
	audit, siem := new(consumertest.LogsSink), new(consumertest.LogsSink)
	conn := startFromConfig(t, "", map[pipeline.ID]consumer.Logs{
		pipeline.NewIDWithName(pipeline.SignalLogs, "in"):   audit,
		pipeline.NewIDWithName(pipeline.SignalLogs, "siem"): siem,
	})
	assert.False(t, conn.Capabilities().MutatesData)

	td := ptrace.NewTraces()
	spans := newResourceSpans(td, "codex-app-server").ScopeSpans().AppendEmpty().Spans()
	codexExecSpan(spans, "call_denied", true)
	codexExecSpan(spans, "call_ran", false)
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))

	for name, sink := range map[string]*consumertest.LogsSink{"in": audit, "siem": siem} {
		require.Len(t, sink.AllLogs(), 1, name)
		rec := onlyRecord(t, sink.AllLogs()[0])
		got := rec.Attributes().AsRaw()
		assert.Equal(t, "call_denied", got["call_id"], name)
		assert.Equal(t, "abort", got["decision"], name)
		assert.Equal(t, "span", got["codex_otel.derived_from"], name)
	}
}

func TestConnectorSendsNothingWithoutDenials(t *testing.T) {
	sink := new(consumertest.LogsSink)
	conn := startFromConfig(t, "", map[pipeline.ID]consumer.Logs{pipeline.NewID(pipeline.SignalLogs): sink})

	td := ptrace.NewTraces()
	codexExecSpan(newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans(), "call_ok", false)
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))
	require.NoError(t, conn.ConsumeTraces(context.Background(), ptrace.NewTraces()))

	assert.Empty(t, sink.AllLogs(), "no empty batches downstream")
}

func TestConnectorUsesConfiguredSelection(t *testing.T) {
	sink := new(consumertest.LogsSink)
	conn := startFromConfig(t, "named", map[pipeline.ID]consumer.Logs{pipeline.NewID(pipeline.SignalLogs): sink})

	td := ptrace.NewTraces()
	spans := newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans()
	codexExecSpan(spans, "call_default_key", true) // marked with "aborted", not "codex.aborted"
	patch := codexExecSpan(spans, "call_patch", false)
	patch.SetName("apply_patch")
	patch.Attributes().PutStr("tool_name", "apply_patch")
	patch.Attributes().PutBool("codex.aborted", true)
	require.NoError(t, conn.ConsumeTraces(context.Background(), td))

	require.Equal(t, 1, sink.LogRecordCount())
	got := onlyRecord(t, sink.AllLogs()[0]).Attributes().AsRaw()
	assert.Equal(t, "call_patch", got["call_id"])
	assert.Equal(t, "apply_patch", got["tool_name"])
}

func TestLogsPipelineRefusalReachesTheSender(t *testing.T) {
	refused := errors.New("memory_limiter refused the data")
	conn := startFromConfig(t, "", map[pipeline.ID]consumer.Logs{pipeline.NewID(pipeline.SignalLogs): consumertest.NewErr(refused)})

	td := ptrace.NewTraces()
	codexExecSpan(newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans(), "call_8", true)
	assert.ErrorIs(t, conn.ConsumeTraces(context.Background(), td), refused,
		"a dropped denial must be retried by the sender, not lost silently")
}
