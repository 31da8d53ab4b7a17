#!/usr/bin/env bash
# Writes the generated secret corpus as an OTLP/JSON logs request, to replay into a real Collector that
# loads collector/secrets.yaml, and the values that must not come out of it:
#   scripts/write-secret-replay.sh [out.json]        (default .stack/secret-replay.json)
#   curl -sS -H 'Content-Type: application/json' --data-binary @out.json http://127.0.0.1:4318/v1/logs
# then no value of out.json.needles.json may appear in what the Collector exports.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.stack/secret-replay.json}"
mkdir -p "$(dirname "$out")"
CODEX_OTEL_SECRET_REPLAY="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" \
  npx vitest run test/unit/redact/collector-second-line.test.ts
