package spanauditconnector

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// randomTraces builds a batch of many resources, scopes and spans, and returns the call ids
// of the aborted tool spans per resource index, in order: what deriveDecisions must emit.
func randomTraces(r *rand.Rand) (ptrace.Traces, map[int][]string) {
	td := ptrace.NewTraces()
	want := map[int][]string{}
	n := 0
	for ri := range r.IntN(5) {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc-%d", ri))
		for range r.IntN(4) {
			spans := rs.ScopeSpans().AppendEmpty().Spans()
			for range r.IntN(7) {
				n++
				callID := fmt.Sprintf("call_%d", n)
				span := spans.AppendEmpty()
				span.SetName("exec_command")
				span.SetEndTimestamp(pcommon.Timestamp(1_796_000_000_000_000_000 + uint64(n)))
				attrs := span.Attributes()
				isTool := r.IntN(4) != 0
				if isTool {
					attrs.PutStr("call_id", callID)
					attrs.PutStr("tool_name", "exec_command")
				} else if r.IntN(2) == 0 {
					attrs.PutStr("call_id", callID) // half a tool span: not enough
				}
				aborted := false
				switch r.IntN(5) {
				case 0: // absent
				case 1:
					attrs.PutBool("aborted", false)
				case 2:
					attrs.PutStr("aborted", "false")
				case 3:
					attrs.PutBool("aborted", true)
					aborted = true
				case 4:
					attrs.PutStr("aborted", "true")
					aborted = true
				}
				if isTool && aborted {
					want[ri] = append(want[ri], callID)
				}
			}
		}
	}
	return td, want
}

func TestRandomBatchesYieldOneRecordPerAbortedToolSpan(t *testing.T) {
	total := 0
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 0x5ba7))
		td, want := randomTraces(r)

		logs := deriveDecisions(td, defaultSelector())

		got := map[int][]string{}
		for i := 0; i < logs.ResourceLogs().Len(); i++ {
			rl := logs.ResourceLogs().At(i)
			service, _ := rl.Resource().Attributes().Get("service.name")
			var ri int
			_, err := fmt.Sscanf(service.Str(), "svc-%d", &ri)
			require.NoError(t, err)
			require.Equal(t, 1, rl.ScopeLogs().Len())
			recs := rl.ScopeLogs().At(0).LogRecords()
			require.Positive(t, recs.Len(), "seed %d: no resource without records", seed)
			for j := 0; j < recs.Len(); j++ {
				callID, _ := recs.At(j).Attributes().Get("call_id")
				got[ri] = append(got[ri], callID.Str())
			}
		}
		require.Equal(t, want, got, "seed %d", seed)
		total += logs.LogRecordCount()
	}
	require.Greater(t, total, 200, "the batches hold denials")
}
