/**
 * The generated secret corpus as the Collector sees it from Codex: arguments as the JSON text Codex sends
 * (and cut previews), output as the tool printed it, endpoints as configured, plus benign look-alikes; and
 * the same documents as one OTLP/JSON logs request. Used by the Go-regexp check of the second line
 * (test/unit/redact) and by the real Collector on the native stack (test/stack/e2e).
 */
import { generateSecretCorpus } from './generated-secret-corpus.js';

export type CollectorChannel = 'arguments' | 'output' | 'endpoint';

export interface ReplayDocument {
  id: string;
  channel: CollectorChannel;
  kind: string;
  text: string;
  needles: string[];
}

export function replayDocuments(corpus = generateSecretCorpus()): ReplayDocument[] {
  const docs: ReplayDocument[] = [];
  corpus.planted.forEach((secret, i) => {
    const base = { kind: secret.kind, needles: secret.needles };
    docs.push({ ...base, id: `p${i}-args-json`, channel: 'arguments', text: secret.texts.json });
    docs.push({ ...base, id: `p${i}-args-cut`, channel: 'arguments', text: secret.texts.cut });
    docs.push({ ...base, id: `p${i}-output-raw`, channel: 'output', text: secret.texts.raw });
    docs.push({ ...base, id: `p${i}-output-shell`, channel: 'output', text: secret.texts.shell });
  });
  corpus.benign.forEach((doc, i) => {
    docs.push({ id: `b${i}-args`, channel: 'arguments', kind: doc.kind, text: JSON.stringify({ command: ['bash', '-lc', doc.text] }), needles: [] });
    docs.push({ id: `b${i}-output`, channel: 'output', kind: doc.kind, text: doc.text, needles: [] });
  });
  corpus.endpoints.forEach((doc, i) => docs.push({ id: `e${i}`, channel: 'endpoint', kind: doc.kind, text: doc.url, needles: doc.needles }));
  return docs;
}


/** An OTLP/JSON logs request with one codex.tool_result-like record per document, the text in its channel's attribute. */
export function otlpReplay(docs: readonly ReplayDocument[]): unknown {
  const key: Record<CollectorChannel, string> = { arguments: 'arguments', output: 'output', endpoint: 'endpoint' };
  const now = `${Date.now()}000000`;
  return {
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_cli_rs' } }] },
      scopeLogs: [{
        scope: { name: 'codex_otel.log_only', version: '' },
        logRecords: docs.map((doc) => ({
          timeUnixNano: now,
          observedTimeUnixNano: now,
          severityNumber: 9,
          severityText: 'INFO',
          attributes: [
            { key: 'event.name', value: { stringValue: doc.channel === 'endpoint' ? 'codex.api_request' : 'codex.tool_result' } },
            { key: 'call_id', value: { stringValue: doc.id } },
            { key: key[doc.channel], value: { stringValue: doc.text } },
          ],
        })),
      }],
    }],
  };
}
