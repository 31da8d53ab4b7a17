package spanauditconnector

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Real Codex 0.169.0 output, captured by the conformance suite (test/fixtures/codex-0.169.0).
var captures = filepath.Join("..", "..", "..", "test", "fixtures", "codex-0.169.0")

func readCapturedTraces(t *testing.T, scenario string) ptrace.Traces {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(captures, scenario, "traces.json"))
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(raw)
	require.NoError(t, err)
	return td
}

func readCapturedLogs(t *testing.T, scenario string) plog.Logs {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(captures, scenario, "logs.json"))
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(raw)
	require.NoError(t, err)
	return ld
}

func findSpans(td ptrace.Traces, match func(ptrace.Span) bool) []ptrace.Span {
	var found []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		for j := 0; j < td.ResourceSpans().At(i).ScopeSpans().Len(); j++ {
			spans := td.ResourceSpans().At(i).ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				if match(spans.At(k)) {
					found = append(found, spans.At(k))
				}
			}
		}
	}
	return found
}

func toolDecisions(ld plog.Logs) []plog.LogRecord {
	var found []plog.LogRecord
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		for j := 0; j < ld.ResourceLogs().At(i).ScopeLogs().Len(); j++ {
			recs := ld.ResourceLogs().At(i).ScopeLogs().At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				if name, ok := recs.At(k).Attributes().Get("event.name"); ok && name.Str() == eventName {
					found = append(found, recs.At(k))
				}
			}
		}
	}
	return found
}

// The TUI scenario approves three commands and denies one (call_tui_deny). Codex logs a
// codex.tool_decision for the three approvals and nothing for the denial: only its
// exec_command span says aborted = true (contract §1.4).
func TestRealCodexTUIDenialBecomesOneRecord(t *testing.T) {
	td := readCapturedTraces(t, "tui-approvals")
	// The denied span carries `aborted` twice, false then true; the last one is current.
	aborted := findSpans(td, func(s ptrace.Span) bool {
		v, ok := lastValue(s.Attributes(), "aborted")
		return ok && v.Type() == pcommon.ValueTypeBool && v.Bool()
	})
	require.Len(t, aborted, 1, "the capture holds one aborted span")
	first, _ := aborted[0].Attributes().Get("aborted")
	require.False(t, first.Bool(), "Codex records aborted = false first: a first-match lookup misses the denial")
	denied := aborted[0]
	require.Equal(t, "exec_command", denied.Name())

	logs := deriveDecisions(td, defaultSelector())

	rec := onlyRecord(t, logs)
	service, _ := logs.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
	assert.Equal(t, "codex-app-server", service.Str())
	conversation, _ := lastValue(denied.Attributes(), "conversation.id")
	// Codex's logged decisions of the same session say which app.version the span's
	// resource service.version stands for.
	realVersion, _ := toolDecisions(readCapturedLogs(t, "tui-approvals"))[0].Attributes().Get("app.version")
	assert.Equal(t, map[string]any{
		"event.name":              "codex.tool_decision",
		"tool_name":               "exec_command",
		"tool_namespace":          "functions",
		"call_id":                 "call_tui_deny",
		"decision":                "abort",
		"source":                  "User",
		"event.timestamp":         denied.EndTimestamp().AsTime().UTC().Format(timestampLayout),
		"conversation.id":         conversation.Str(),
		"app.version":             realVersion.Str(),
		"codex_otel.derived_from": "span",
	}, rec.Attributes().AsRaw())
	assert.Equal(t, denied.TraceID(), rec.TraceID())
	assert.Equal(t, denied.SpanID(), rec.SpanID())
	assert.Equal(t, denied.EndTimestamp(), rec.Timestamp())

	// The capture's guardian_scoring_observation spans carry call_id and tool_name without
	// `aborted`; the approved calls' exec_command spans carry aborted = false. None count.
	withBoth := findSpans(td, func(s ptrace.Span) bool {
		_, c := s.Attributes().Get("call_id")
		_, n := s.Attributes().Get("tool_name")
		return c && n
	})
	assert.Greater(t, len(withBoth), 4, "the capture has tool spans of approved calls too")
}

// The derived record follows the real codex.tool_decision records of the same session:
// same scope, severity, attribute types, and its keys in the order Codex sends them.
func TestDerivedRecordHasTheShapeOfRealDecisions(t *testing.T) {
	real := toolDecisions(readCapturedLogs(t, "tui-approvals"))
	require.Len(t, real, 3, "three approvals are logged")
	derivedLogs := deriveDecisions(readCapturedTraces(t, "tui-approvals"), defaultSelector())
	derived := onlyRecord(t, derivedLogs)

	realKeys := keys(real[0].Attributes())
	var ownKeys []string
	for _, k := range keys(derived.Attributes()) {
		if !strings.HasPrefix(k, "codex_otel.") {
			ownKeys = append(ownKeys, k)
		}
	}
	assert.True(t, isOrderedSubsequence(ownKeys, realKeys), "derived keys %v in the order of Codex's %v", ownKeys, realKeys)
	assert.Equal(t, "codex_otel.derived_from", keys(derived.Attributes())[derived.Attributes().Len()-1])
	derived.Attributes().Range(func(k string, v pcommon.Value) bool {
		if want, ok := real[0].Attributes().Get(k); ok {
			assert.Equal(t, want.Type(), v.Type(), k)
		}
		return true
	})
	for _, r := range real {
		assert.Equal(t, r.SeverityNumber(), derived.SeverityNumber())
		assert.Equal(t, r.SeverityText(), derived.SeverityText())
		assert.Equal(t, r.Flags(), derived.Flags())
		// Codex's decisions of one session each sit in the trace of their call; so does ours.
		assert.False(t, r.TraceID().IsEmpty())
	}
	assert.Equal(t, "codex_otel.log_only", derivedLogs.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Name())
}

func TestRealCodexExecWithoutDenialGivesNothing(t *testing.T) {
	logs := deriveDecisions(readCapturedTraces(t, "exec-tool-call"), defaultSelector())
	assert.Equal(t, 0, logs.LogRecordCount())
}

func isOrderedSubsequence(sub, full []string) bool {
	i := 0
	for _, k := range full {
		if i < len(sub) && sub[i] == k {
			i++
		}
	}
	return i == len(sub) && !slices.Contains(sub, "")
}
