package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/component"
)

// Config selects which spans are aborted tool calls.
type Config struct {
	// AbortedAttribute is the span attribute that marks a tool call the user denied or
	// interrupted: the span counts when it is the boolean true (or the string "true").
	// Default "aborted", the key Codex puts on its exec_command span.
	AbortedAttribute string `mapstructure:"aborted_attribute"`

	// ToolSpanNames, when set, are the only span names that count as tool spans.
	// When empty (the default), a tool span is any span that has both the `call_id`
	// and the `tool_name` attribute, which covers Codex's exec_command span, its other
	// tool spans and the spans of this project's library without naming each one.
	ToolSpanNames []string `mapstructure:"tool_span_names"`
}

var _ component.Config = (*Config)(nil)

func createDefaultConfig() component.Config {
	return &Config{AbortedAttribute: defaultAbortedAttribute}
}

// Validate names the offending key, what it expects and what it found.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.AbortedAttribute) == "" {
		errs = append(errs, fmt.Errorf("aborted_attribute: expected a span attribute name, found %q", c.AbortedAttribute))
	}
	seen := make(map[string]int, len(c.ToolSpanNames))
	for i, name := range c.ToolSpanNames {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, fmt.Errorf("tool_span_names[%d]: expected a span name, found %q", i, name))
			continue
		}
		if first, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("tool_span_names[%d]: expected a name not listed before, found %q (already tool_span_names[%d])", i, name, first))
			continue
		}
		seen[name] = i
	}
	return errors.Join(errs...)
}
