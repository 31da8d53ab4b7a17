package spanauditconnector // import "github.com/codex-otel/codex-otel/collector/components/spanauditconnector"

import "go.opentelemetry.io/collector/pdata/pcommon"

// lastValue returns the last value stored under key. Codex's spans repeat a key when a
// field is recorded after the span started: its denied exec_command span carries
// `aborted = false` (the initial value) and then `aborted = true`. pcommon.Map.Get
// returns the first occurrence, which is the stale one.
func lastValue(m pcommon.Map, key string) (pcommon.Value, bool) {
	var found pcommon.Value
	ok := false
	m.Range(func(k string, v pcommon.Value) bool {
		if k == key {
			found, ok = v, true
		}
		return true
	})
	return found, ok
}
