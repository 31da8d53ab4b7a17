package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The codex.tool_decision shape of the telemetry contract (§1, §1.2), as Codex 0.169.0 sends it.
const (
	eventName       = "codex.tool_decision"
	logScopeName    = "codex_otel.log_only"
	decisionAbort   = "abort"
	sourceUser      = "User"
	defaultToolNS   = "functions"
	timestampLayout = "2006-01-02T15:04:05.000Z"

	attrEventName      = "event.name"
	attrToolName       = "tool_name"
	attrToolNamespace  = "tool_namespace"
	attrCallID         = "call_id"
	attrDecision       = "decision"
	attrSource         = "source"
	attrEventTimestamp = "event.timestamp"

	// Appended after the common attributes, as every codex_otel.* attribute is.
	attrDerivedFrom = "codex_otel.derived_from"
	derivedFromSpan = "span"
)

// commonAttributes are the contract's §1.1 common attributes after event.timestamp, in
// wire order. Each is taken from the span, else from its resource, else left out.
var commonAttributes = []string{
	"conversation.id",
	"app.version",
	"auth_mode",
	"originator",
	"user.account_id",
	"user.email",
	"terminal.type",
	"model",
	"slug",
}

// resourceEquivalents name a resource attribute that holds the same fact as a missing
// common attribute: Codex and this project both set service.version to the app.version
// their events carry, and Codex's spans carry neither app.version nor a copy of it.
var resourceEquivalents = map[string]string{
	"app.version": "service.version",
}

// deriveDecisions returns one codex.tool_decision record per aborted tool span, grouped
// under a copy of the span's resource. It returns empty logs when no span qualifies.
func deriveDecisions(td ptrace.Traces, sel spanSelector) plog.Logs {
	out := plog.NewLogs()
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		var records plog.LogRecordSlice
		started := false
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				if !sel.isAbortedToolSpan(span) {
					continue
				}
				if !started {
					records = startResourceLogs(out, rs)
					started = true
				}
				fillDecision(records.AppendEmpty(), span, rs.Resource())
			}
		}
	}
	return out
}

func startResourceLogs(out plog.Logs, rs ptrace.ResourceSpans) plog.LogRecordSlice {
	rl := out.ResourceLogs().AppendEmpty()
	rs.Resource().CopyTo(rl.Resource())
	rl.SetSchemaUrl(rs.SchemaUrl())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(logScopeName)
	return sl.LogRecords()
}

func fillDecision(rec plog.LogRecord, span ptrace.Span, resource pcommon.Resource) {
	ts := recordTime(span)
	rec.SetTimestamp(ts)
	rec.SetObservedTimestamp(ts)
	rec.SetSeverityNumber(plog.SeverityNumberInfo)
	rec.SetSeverityText("INFO")
	rec.SetEventName(eventName)
	rec.SetTraceID(span.TraceID())
	rec.SetSpanID(span.SpanID())
	// An exported span was sampled; Codex's events inside a span carry flags = 1 too.
	rec.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))

	spanAttrs := span.Attributes()
	attrs := rec.Attributes()
	attrs.EnsureCapacity(8 + len(commonAttributes))
	attrs.PutStr(attrEventName, eventName)
	attrs.PutStr(attrToolName, toolName(span))
	attrs.PutStr(attrToolNamespace, stringOr(spanAttrs, attrToolNamespace, defaultToolNS))
	if callID, ok := lastValue(spanAttrs, attrCallID); ok {
		attrs.PutStr(attrCallID, callID.AsString())
	}
	attrs.PutStr(attrDecision, decisionAbort)
	attrs.PutStr(attrSource, sourceUser)
	attrs.PutStr(attrEventTimestamp, ts.AsTime().UTC().Format(timestampLayout))
	for _, key := range commonAttributes {
		if v, ok := lookup(key, spanAttrs, resource.Attributes()); ok {
			v.CopyTo(attrs.PutEmpty(key))
		}
	}
	attrs.PutStr(attrDerivedFrom, derivedFromSpan)
}

// recordTime is the span's end: the moment the user's denial or interruption ended the
// call. A span without an end time falls back to its start, then to now.
func recordTime(span ptrace.Span) pcommon.Timestamp {
	if ts := span.EndTimestamp(); ts != 0 {
		return ts
	}
	if ts := span.StartTimestamp(); ts != 0 {
		return ts
	}
	return pcommon.NewTimestampFromTime(time.Now())
}

// toolName is the span's tool_name attribute; a span selected by name without one is
// named after itself (Codex names tool spans after the tool, e.g. exec_command).
func toolName(span ptrace.Span) string {
	return stringOr(span.Attributes(), attrToolName, span.Name())
}

func stringOr(attrs pcommon.Map, key, fallback string) string {
	if v, ok := lastValue(attrs, key); ok {
		if s := v.AsString(); s != "" {
			return s
		}
	}
	return fallback
}

func lookup(key string, spanAttrs, resourceAttrs pcommon.Map) (pcommon.Value, bool) {
	if v, ok := lastValue(spanAttrs, key); ok {
		return v, true
	}
	if v, ok := lastValue(resourceAttrs, key); ok {
		return v, true
	}
	if equivalent, ok := resourceEquivalents[key]; ok {
		return lastValue(resourceAttrs, equivalent)
	}
	return pcommon.Value{}, false
}
