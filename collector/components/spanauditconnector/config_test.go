package spanauditconnector

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/codex-otel/codex-otel/collector/components/spanauditconnector/internal/metadata"
)

// loadConfig unmarshals one entry of testdata/config.yaml the way the collector does.
func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg.(*Config), nil
}

func TestDefaultConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, &Config{AbortedAttribute: "aborted"}, cfg)
	assert.NoError(t, cfg.Validate())
}

func TestConfiguredAttributeAndNames(t *testing.T) {
	cfg, err := loadConfig(t, "named")
	require.NoError(t, err)
	assert.Equal(t, &Config{
		AbortedAttribute: "codex.aborted",
		ToolSpanNames:    []string{"exec_command", "apply_patch"},
	}, cfg)
	assert.NoError(t, cfg.Validate())
}

func TestValidationNamesKeyExpectedAndFound(t *testing.T) {
	cfg, err := loadConfig(t, "empty_attribute")
	require.NoError(t, err)
	assert.EqualError(t, cfg.Validate(),
		`aborted_attribute: expected a span attribute name, found ""`)

	cfg, err = loadConfig(t, "bad_names")
	require.NoError(t, err)
	err = cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `tool_span_names[1]: expected a span name, found ""`)
	assert.Contains(t, err.Error(), `tool_span_names[2]: expected a name not listed before, found "exec_command" (already tool_span_names[0])`)
}

func TestWhitespaceAttributeIsRejected(t *testing.T) {
	cfg := &Config{AbortedAttribute: "  "}
	assert.EqualError(t, cfg.Validate(), `aborted_attribute: expected a span attribute name, found "  "`)
}

func TestUnknownKeyIsRejected(t *testing.T) {
	_, err := loadConfig(t, "unknown_key")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aborted_attr")
}
