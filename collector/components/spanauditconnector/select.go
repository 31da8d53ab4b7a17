package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const defaultAbortedAttribute = "aborted"

// spanSelector answers one question: is this span a tool call that was aborted?
type spanSelector struct {
	abortedAttribute string
	// toolSpanNames is nil when tool spans are recognised by their attributes.
	toolSpanNames map[string]struct{}
}

func newSpanSelector(cfg *Config) spanSelector {
	sel := spanSelector{abortedAttribute: cfg.AbortedAttribute}
	if len(cfg.ToolSpanNames) > 0 {
		sel.toolSpanNames = make(map[string]struct{}, len(cfg.ToolSpanNames))
		for _, name := range cfg.ToolSpanNames {
			sel.toolSpanNames[name] = struct{}{}
		}
	}
	return sel
}

func (s spanSelector) isAbortedToolSpan(span ptrace.Span) bool {
	attrs := span.Attributes()
	aborted, ok := lastValue(attrs, s.abortedAttribute)
	if !ok || !isTrue(aborted) {
		return false
	}
	if s.toolSpanNames != nil {
		_, named := s.toolSpanNames[span.Name()]
		return named
	}
	_, hasCallID := lastValue(attrs, attrCallID)
	_, hasToolName := lastValue(attrs, attrToolName)
	return hasCallID && hasToolName
}

// isTrue accepts the boolean Codex sends and its string spelling, which a sender or a
// processor that stringifies attributes may produce; anything else is not "aborted".
func isTrue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeStr:
		return v.Str() == "true"
	default:
		return false
	}
}
