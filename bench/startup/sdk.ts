/** Start-up of the bare SDK: import + LoggerProvider + BatchLogRecordProcessor + OTLP/HTTP protobuf exporter + the first record. */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

const url = process.argv[2] ?? 'http://127.0.0.1:9';
const provider = new LoggerProvider({
  resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'codex_cli_rs' })),
  processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${url}/v1/logs` }) })],
});
const now = Date.now();
provider.getLogger('codex_otel.log_only').emit({
  eventName: 'codex.sse_event',
  severityNumber: SeverityNumber.INFO,
  timestamp: now,
  attributes: { 'event.name': 'codex.sse_event', 'event.kind': 'response.output_text.delta', duration_ms: '3', 'event.timestamp': new Date(now).toISOString() },
});
const at = performance.now();
process.stdout.write(`@@result ${JSON.stringify({ ms: at })}\n`);
process.exit(0);
