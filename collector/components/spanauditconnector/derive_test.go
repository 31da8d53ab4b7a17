package spanauditconnector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var (
	spanStart = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	spanEnd   = time.Date(2026, 12, 1, 10, 0, 2, 345_678_901, time.UTC)
)

func defaultSelector() spanSelector {
	return newSpanSelector(createDefaultConfig().(*Config))
}

// codexExecSpan is shaped like Codex 0.169's exec_command span (contract §4), including
// the tracing library's own attributes, which must not leak into the audit record.
func codexExecSpan(spans ptrace.SpanSlice, callID string, aborted bool) ptrace.Span {
	span := spans.AppendEmpty()
	span.SetName("exec_command")
	span.SetTraceID(pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36})
	span.SetSpanID(pcommon.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7})
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(spanStart))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(spanEnd))
	attrs := span.Attributes()
	attrs.PutStr("call_id", callID)
	attrs.PutStr("tool_name", "exec_command")
	attrs.PutBool("aborted", aborted)
	attrs.PutStr("codex.tool.phase", "approval")
	attrs.PutStr("conversation.id", "019a-conv-1")
	attrs.PutStr("turn.id", "turn-7")
	attrs.PutInt("busy_ns", 120_000)
	attrs.PutStr("code.file.path", "core/src/tools/mod.rs")
	return span
}

func newResourceSpans(td ptrace.Traces, serviceName string) ptrace.ResourceSpans {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", serviceName)
	rs.Resource().Attributes().PutStr("service.version", "0.169.0")
	rs.Resource().Attributes().PutStr("env", "dev")
	rs.Resource().Attributes().PutStr("host.name", "laptop-7")
	return rs
}

func keys(m pcommon.Map) []string {
	out := make([]string, 0, m.Len())
	m.Range(func(k string, _ pcommon.Value) bool {
		out = append(out, k)
		return true
	})
	return out
}

func onlyRecord(t *testing.T, logs plog.Logs) plog.LogRecord {
	t.Helper()
	require.Equal(t, 1, logs.LogRecordCount())
	return logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

func TestAbortedExecSpanBecomesToolDecision(t *testing.T) {
	td := ptrace.NewTraces()
	rs := newResourceSpans(td, "codex-app-server")
	rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
	rs.Resource().Attributes().PutStr("originator", "codex-tui")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("codex-app-server")
	span := codexExecSpan(ss.Spans(), "call_Ab12", true)

	logs := deriveDecisions(td, defaultSelector())

	rl := logs.ResourceLogs().At(0)
	assert.Equal(t, rs.Resource().Attributes().AsRaw(), rl.Resource().Attributes().AsRaw())
	assert.Equal(t, "https://opentelemetry.io/schemas/1.26.0", rl.SchemaUrl())
	sl := rl.ScopeLogs().At(0)
	assert.Equal(t, "codex_otel.log_only", sl.Scope().Name())
	assert.Empty(t, sl.Scope().Version())

	rec := onlyRecord(t, logs)
	assert.Equal(t, []string{
		"event.name", "tool_name", "tool_namespace", "call_id", "decision", "source",
		"event.timestamp", "conversation.id", "app.version", "originator",
		"codex_otel.derived_from",
	}, keys(rec.Attributes()))
	assert.Equal(t, map[string]any{
		"event.name":              "codex.tool_decision",
		"tool_name":               "exec_command",
		"tool_namespace":          "functions",
		"call_id":                 "call_Ab12",
		"decision":                "abort",
		"source":                  "User",
		"event.timestamp":         "2026-12-01T10:00:02.345Z",
		"conversation.id":         "019a-conv-1",
		"app.version":             "0.169.0", // the resource's service.version
		"originator":              "codex-tui",
		"codex_otel.derived_from": "span",
	}, rec.Attributes().AsRaw())
	assert.Equal(t, "codex.tool_decision", rec.EventName())
	assert.Equal(t, span.EndTimestamp(), rec.Timestamp())
	assert.Equal(t, span.EndTimestamp(), rec.ObservedTimestamp())
	assert.Equal(t, plog.SeverityNumberInfo, rec.SeverityNumber())
	assert.Equal(t, "INFO", rec.SeverityText())
	assert.Equal(t, span.TraceID(), rec.TraceID())
	assert.Equal(t, span.SpanID(), rec.SpanID())
	assert.True(t, rec.Flags().IsSampled())
	assert.Equal(t, pcommon.ValueTypeEmpty, rec.Body().Type(), "the contract's records have no body")
}

func TestCommonAttributesInContractOrderSpanBeforeResource(t *testing.T) {
	td := ptrace.NewTraces()
	rs := newResourceSpans(td, "codex_exec")
	res := rs.Resource().Attributes()
	// Put on the resource in a scrambled order, and one that the span overrides.
	res.PutStr("slug", "gpt-5")
	res.PutStr("user.email", "dev@example.com")
	res.PutStr("model", "resource-model")
	res.PutStr("app.version", "0.169.0")
	res.PutStr("service.version", "9.9.9")
	res.PutStr("terminal.type", "xterm-256color")
	res.PutStr("user.account_id", "acct-1")
	res.PutStr("auth_mode", "ApiKey")
	res.PutStr("originator", "codex_exec")
	span := codexExecSpan(rs.ScopeSpans().AppendEmpty().Spans(), "call_2", true)
	span.Attributes().PutStr("model", "span-model")
	span.Attributes().PutStr("tool_namespace", "mcp__files")

	rec := onlyRecord(t, deriveDecisions(td, defaultSelector()))

	assert.Equal(t, []string{
		"event.name", "tool_name", "tool_namespace", "call_id", "decision", "source",
		"event.timestamp", "conversation.id", "app.version", "auth_mode", "originator",
		"user.account_id", "user.email", "terminal.type", "model", "slug",
		"codex_otel.derived_from",
	}, keys(rec.Attributes()))
	got := rec.Attributes().AsRaw()
	assert.Equal(t, "span-model", got["model"], "the span's own value wins over the resource's")
	assert.Equal(t, "0.169.0", got["app.version"], "the resource's app.version wins over service.version")
	assert.Equal(t, "mcp__files", got["tool_namespace"])
	assert.Equal(t, "dev@example.com", got["user.email"])
}

func TestSpansThatAreNotAbortedToolCallsAreIgnored(t *testing.T) {
	cases := map[string]func(span ptrace.Span){
		"aborted false":        func(s ptrace.Span) { s.Attributes().PutBool("aborted", false) },
		"aborted absent":       func(s ptrace.Span) { s.Attributes().Remove("aborted") },
		"aborted string false": func(s ptrace.Span) { s.Attributes().PutStr("aborted", "false") },
		"aborted as int 1":     func(s ptrace.Span) { s.Attributes().PutInt("aborted", 1) },
		"no call_id":           func(s ptrace.Span) { s.Attributes().Remove("call_id") },
		"no tool_name":         func(s ptrace.Span) { s.Attributes().Remove("tool_name") },
		"aborted on a turn span": func(s ptrace.Span) {
			s.SetName("turn")
			s.Attributes().Remove("call_id")
			s.Attributes().Remove("tool_name")
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			td := ptrace.NewTraces()
			span := codexExecSpan(newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans(), "call_3", true)
			mutate(span)
			logs := deriveDecisions(td, defaultSelector())
			assert.Equal(t, 0, logs.LogRecordCount())
			assert.Equal(t, 0, logs.ResourceLogs().Len(), "no empty resource for a batch without denials")
		})
	}
}

func TestStringTrueCountsAsAborted(t *testing.T) {
	td := ptrace.NewTraces()
	span := codexExecSpan(newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans(), "call_4", false)
	span.Attributes().PutStr("aborted", "true")
	rec := onlyRecord(t, deriveDecisions(td, defaultSelector()))
	assert.Equal(t, "call_4", rec.Attributes().AsRaw()["call_id"])
}

func TestNamedToolSpansWithMissingAttributes(t *testing.T) {
	sel := newSpanSelector(&Config{AbortedAttribute: "codex.aborted", ToolSpanNames: []string{"exec_command"}})
	td := ptrace.NewTraces()
	rs := newResourceSpans(td, "codex_exec")
	rs.Resource().Attributes().Remove("service.version")
	spans := rs.ScopeSpans().AppendEmpty().Spans()

	bare := spans.AppendEmpty() // named, aborted, but without call_id, tool_name or conversation.id
	bare.SetName("exec_command")
	bare.SetStartTimestamp(pcommon.NewTimestampFromTime(spanStart))
	bare.Attributes().PutBool("codex.aborted", true)

	other := codexExecSpan(spans, "call_5", true) // has every attribute but another name
	other.SetName("apply_patch")
	other.Attributes().PutBool("codex.aborted", true)

	codexExecSpan(spans, "call_6", true) // the right name, but marked with the default key only

	rec := onlyRecord(t, deriveDecisions(td, sel))
	assert.Equal(t, map[string]any{
		"event.name":              "codex.tool_decision",
		"tool_name":               "exec_command",
		"tool_namespace":          "functions",
		"decision":                "abort",
		"source":                  "User",
		"event.timestamp":         "2026-12-01T10:00:00.000Z",
		"codex_otel.derived_from": "span",
	}, rec.Attributes().AsRaw(), "absent values are left out; the tool is named after the span")
	assert.Equal(t, bare.StartTimestamp(), rec.Timestamp(), "no end time: the start time")
}

func TestManyResourcesKeepTheirOwnResourceAndOrder(t *testing.T) {
	td := ptrace.NewTraces()

	tui := newResourceSpans(td, "codex-app-server")
	tuiScopeA := tui.ScopeSpans().AppendEmpty().Spans()
	codexExecSpan(tuiScopeA, "call_tui_1", true)
	codexExecSpan(tuiScopeA, "call_tui_ok", false)
	tuiScopeB := tui.ScopeSpans().AppendEmpty().Spans()
	codexExecSpan(tuiScopeB, "call_tui_2", true)

	quiet := newResourceSpans(td, "no-denials")
	codexExecSpan(quiet.ScopeSpans().AppendEmpty().Spans(), "call_quiet", false)
	quiet.ScopeSpans().AppendEmpty() // an empty scope
	td.ResourceSpans().AppendEmpty() // an empty resource

	ours := newResourceSpans(td, "my-agent")
	codexExecSpan(ours.ScopeSpans().AppendEmpty().Spans(), "call_ours", true)

	logs := deriveDecisions(td, defaultSelector())

	require.Equal(t, 2, logs.ResourceLogs().Len())
	type got struct {
		service string
		callIDs []string
	}
	var all []got
	for i := 0; i < logs.ResourceLogs().Len(); i++ {
		rl := logs.ResourceLogs().At(i)
		require.Equal(t, 1, rl.ScopeLogs().Len(), "one codex_otel.log_only scope per resource")
		service, _ := rl.Resource().Attributes().Get("service.name")
		g := got{service: service.Str()}
		recs := rl.ScopeLogs().At(0).LogRecords()
		for j := 0; j < recs.Len(); j++ {
			callID, _ := recs.At(j).Attributes().Get("call_id")
			g.callIDs = append(g.callIDs, callID.Str())
		}
		all = append(all, g)
	}
	assert.Equal(t, []got{
		{service: "codex-app-server", callIDs: []string{"call_tui_1", "call_tui_2"}},
		{service: "my-agent", callIDs: []string{"call_ours"}},
	}, all)
}

func TestDerivingLeavesTheSpansUntouched(t *testing.T) {
	td := ptrace.NewTraces()
	codexExecSpan(newResourceSpans(td, "codex_exec").ScopeSpans().AppendEmpty().Spans(), "call_7", true)
	before := ptrace.NewTraces()
	td.CopyTo(before)

	logs := deriveDecisions(td, defaultSelector())
	rec := onlyRecord(t, logs)
	rec.Attributes().PutStr("conversation.id", "changed downstream")
	logs.ResourceLogs().At(0).Resource().Attributes().PutStr("service.name", "changed downstream")

	assert.Equal(t, before, td, "the records share no memory with the spans")
}

// spanWithRepeatedKeys decodes a span the way the OTLP receiver does, keeping repeated
// attribute keys in wire order (pdata's Put* would replace them).
func spanWithRepeatedKeys(t *testing.T, attributesJSON string) ptrace.Traces {
	t.Helper()
	doc := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex-app-server"}}]},
	  "scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"exec_command",
	  "endTimeUnixNano":"1796119202345000000","attributes":[` + attributesJSON + `]}]}]}]}`
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(doc))
	require.NoError(t, err)
	return td
}

func TestTheLastRecordedValueOfARepeatedKeyCounts(t *testing.T) {
	const ids = `{"key":"call_id","value":{"stringValue":"call_9"}},{"key":"tool_name","value":{"stringValue":"exec_command"}},`

	abortedLater := spanWithRepeatedKeys(t, ids+
		`{"key":"conversation.id","value":{"stringValue":"conv-old"}},`+
		`{"key":"aborted","value":{"boolValue":false}},{"key":"aborted","value":{"boolValue":true}},`+
		`{"key":"conversation.id","value":{"stringValue":"conv-new"}}`)
	rec := onlyRecord(t, deriveDecisions(abortedLater, defaultSelector()))
	assert.Equal(t, "conv-new", rec.Attributes().AsRaw()["conversation.id"])
	assert.Equal(t, []string{"event.name", "tool_name", "tool_namespace", "call_id", "decision", "source",
		"event.timestamp", "conversation.id", "codex_otel.derived_from"}, keys(rec.Attributes()), "each key once")

	notAbortedInTheEnd := spanWithRepeatedKeys(t, ids+
		`{"key":"aborted","value":{"boolValue":true}},{"key":"aborted","value":{"boolValue":false}}`)
	assert.Equal(t, 0, deriveDecisions(notAbortedInTheEnd, defaultSelector()).LogRecordCount())
}

func TestAppVersionFallsBackToTheResourceServiceVersion(t *testing.T) {
	td := ptrace.NewTraces()
	rs := newResourceSpans(td, "my-agent")
	rs.Resource().Attributes().PutStr("service.version", "2.4.0")
	codexExecSpan(rs.ScopeSpans().AppendEmpty().Spans(), "call_10", true)
	assert.Equal(t, "2.4.0", onlyRecord(t, deriveDecisions(td, defaultSelector())).Attributes().AsRaw()["app.version"])

	rs.ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("app.version", "2.5.0-span")
	assert.Equal(t, "2.5.0-span", onlyRecord(t, deriveDecisions(td, defaultSelector())).Attributes().AsRaw()["app.version"])
}
