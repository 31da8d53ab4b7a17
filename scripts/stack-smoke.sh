#!/usr/bin/env bash
# Smoke test of the running compose stack (needs Docker; not runnable in CI without it).
#   GF_ADMIN_PASSWORD=... docker compose up -d
#   GF_ADMIN_PASSWORD=... scripts/stack-smoke.sh
# Sends OTLP/JSON shaped exactly like the contract to 127.0.0.1:4318, then asks Loki,
# Prometheus and Grafana for it. Exits non-zero, saying what is missing, on the first failure.
set -euo pipefail

OTLP=${OTLP:-http://127.0.0.1:4318}
LOKI=${LOKI:-http://127.0.0.1:3100}
PROM=${PROM:-http://127.0.0.1:9090}
GRAFANA=${GRAFANA:-http://127.0.0.1:3000}
GF_USER=${GF_ADMIN_USER:-admin}
: "${GF_ADMIN_PASSWORD:?export GF_ADMIN_PASSWORD (the one docker compose was started with)}"
TIMEOUT=${TIMEOUT:-120}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
need() { command -v "$1" >/dev/null || fail "$1 is required"; }
need curl; need jq

RUN_ID="smoke-$(date +%s)-$RANDOM"
CONV="00000000-0000-4000-8000-$(printf '%012d' $((RANDOM * RANDOM)))"
NOW_NS="$(date +%s)000000000"
NOW_ISO="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"

s() { printf '{"key":"%s","value":{"stringValue":"%s"}}' "$1" "$2"; }
i() { printf '{"key":"%s","value":{"intValue":"%s"}}' "$1" "$2"; }
common() {
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s' "$(s event.timestamp "$NOW_ISO")" "$(s conversation.id "$CONV")" \
    "$(s app.version 0.0.0-smoke)" "$(s auth_mode Chatgpt)" "$(s originator codex_cli_rs)" \
    "$(s user.email smoke@example.com)" "$(s terminal.type smoke/1.0)" "$(s model gpt-5-codex)" "$(s slug gpt-5-codex)"
}
record() { # name, extra attributes JSON
  printf '{"timeUnixNano":"%s","severityNumber":9,"severityText":"INFO","eventName":"%s","attributes":[%s,%s,%s]}' \
    "$NOW_NS" "$1" "$(s event.name "$1")" "$2" "$(common)"
}
RESOURCE="[$(s service.name codex_cli_rs),$(s service.version 0.0.0-smoke),$(s env smoke),$(s host.name smoke-host),$(s smoke.run "$RUN_ID")]"

LOGS=$(cat <<JSON
{"resourceLogs":[{"resource":{"attributes":$RESOURCE},"scopeLogs":[{"scope":{"name":"codex_otel.log_only"},"logRecords":[
$(record codex.tool_decision "$(s tool_name shell),$(s call_id call_$RUN_ID),$(s decision denied),$(s source User)"),
$(record codex.api_request "$(s duration_ms 123),$(i http.response.status_code 429),$(s error.message rate_limited_$RUN_ID),$(i attempt 0),$(s endpoint /responses)"),
$(record codex.sse_event "$(s event.kind response.output_text.delta),$(s duration_ms 3)"),
$(record codex.sse_event "$(s event.kind response.completed),$(s input_token_count 100),$(s output_token_count 20),$(i cached_token_count 0),$(i reasoning_token_count 5),$(s tool_token_count 125)")
]}]}]}
JSON
)

METRICS=$(cat <<JSON
{"resourceMetrics":[{"resource":{"attributes":[$(s service.name codex_cli_rs),$(s env smoke),$(s os linux),$(s os_version smoke)]},"scopeMetrics":[{"scope":{"name":"codex"},"metrics":[
{"name":"codex.api_request","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"startTimeUnixNano":"$NOW_NS","timeUnixNano":"$NOW_NS","asInt":"3","attributes":[$(s status 429),$(s success false),$(s originator codex_cli_rs),$(s model gpt-5-codex),$(s app.version 0.0.0-smoke),$(s session_source "$RUN_ID")]}]}}
]}]}]}
JSON
)

post() { curl -fsS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$2" "$OTLP$1" || fail "POST $OTLP$1 refused (is the collector up?)"; }
[ "$(post /v1/logs "$LOGS")" = 200 ] || fail "collector did not accept logs"
ok "collector accepted 4 log records (run $RUN_ID)"
[ "$(post /v1/metrics "$METRICS")" = 200 ] || fail "collector did not accept metrics"
ok "collector accepted 1 metric"

loki_count() { # LogQL -> number of entries in the last 10 minutes
  curl -fsS -G "$LOKI/loki/api/v1/query_range" --data-urlencode "query=$1" \
    --data-urlencode "start=$(( $(date +%s) - 600 ))000000000" --data-urlencode "limit=100" \
    | jq '[.data.result[].values | length] | add // 0'
}
wait_for() { # description, command that prints a number > 0 when done
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$(eval "$2" 2>/dev/null || echo 0)
    if [ "${n:-0}" != 0 ] && [ "${n:-0}" != null ]; then ok "$1 ($n)"; return 0; fi
    sleep 3
  done
  fail "$1: nothing after ${TIMEOUT}s"
}

SEL="{service_name=\"codex_cli_rs\", deployment_environment=\"smoke\"} | conversation_id=\"$CONV\""
wait_for "Loki has the audit event with its structured metadata" \
  "loki_count '$SEL | event_name=\"codex.tool_decision\" | decision=\"denied\" | source=\"User\" | user_email=\"smoke@example.com\"'"
wait_for "Loki has the general event" "loki_count '$SEL | event_name=\"codex.api_request\" | error_message=\"rate_limited_$RUN_ID\"'"
wait_for "Loki has response.completed with token counts" \
  "loki_count '$SEL | event_name=\"codex.sse_event\" | event_kind=\"response.completed\" | input_token_count=\"100\"'"
[ "$(loki_count "$SEL | event_name=\"codex.sse_event\" | event_kind=\"response.output_text.delta\"")" = 0 ] \
  || fail "a successful SSE chunk reached Loki; it should be dropped unless CODEX_OTEL_KEEP_SSE_CHUNKS=true"
ok "successful SSE chunk was dropped"

prom_count() {
  curl -fsS -G "$PROM/api/v1/query" --data-urlencode "query=$1" | jq '.data.result | length'
}
wait_for "Prometheus has codex_api_request_total from the collector" \
  "prom_count 'codex_api_request_total{session_source=\"$RUN_ID\", status=\"429\", deployment_environment=\"smoke\"}'"
wait_for "Prometheus scrapes the collector's own metrics" "prom_count 'otelcol_receiver_accepted_log_records_total'"
[ "$(prom_count 'up{job="otel-collector"} == 1')" -ge 1 ] || fail "Prometheus: collector self-metrics target is down"

gf() { curl -fsS -u "$GF_USER:$GF_ADMIN_PASSWORD" "$GRAFANA$1"; }
[ "$(curl -fsS "$GRAFANA/api/health" | jq -r .database)" = ok ] || fail "Grafana is not healthy"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GRAFANA/api/search")" = 401 ] || fail "Grafana answers anonymous API calls"
ok "Grafana is healthy and refuses anonymous access"
for uid in codex-loki codex-prometheus; do gf "/api/datasources/uid/$uid" >/dev/null || fail "Grafana datasource $uid missing"; done
ok "Grafana datasources codex-loki and codex-prometheus are provisioned"
for uid in codex-security-audit codex-usage-reliability; do gf "/api/dashboards/uid/$uid" >/dev/null || fail "Grafana dashboard $uid missing"; done
ok "both dashboards are provisioned"
n=$(gf "/api/v1/provisioning/alert-rules" | jq '[.[] | select(.uid == "codex-denial-burst" or .uid == "codex-danger-full-access")] | length')
[ "$n" = 2 ] || fail "Grafana alert rules missing (found $n of 2)"
ok "Grafana alert rules are provisioned"
n=$(curl -fsS -u "$GF_USER:$GF_ADMIN_PASSWORD" -G "$GRAFANA/api/datasources/proxy/uid/codex-loki/loki/api/v1/query_range" \
  --data-urlencode "query=$SEL | event_name=\"codex.tool_decision\"" --data-urlencode "start=$(( $(date +%s) - 600 ))000000000" \
  | jq '[.data.result[].values | length] | add // 0')
[ "$n" -ge 1 ] || fail "Grafana cannot read the audit event through the Loki datasource"
ok "Grafana reads the audit event through its Loki datasource"

echo "PASS: stack smoke test ($RUN_ID)"
