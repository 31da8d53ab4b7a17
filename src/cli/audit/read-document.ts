/**
 * A whole OTLP/JSON document (pretty-printed, an array of requests, or several concatenated) read as
 * a stream: the JSON parser emits each resource, scope, log record and span as soon as it is
 * complete and forgets it, so memory holds one record at a time. A single value larger than
 * `maxRecordBytes` stops the file (counted as malformed), as does invalid JSON.
 */
import { JSONParser, TokenizerError, TokenParserError } from '@streamparser/json';
import type { AuditItem } from './read-otlp-json.js';
import { readLogRecord, readResource, readScopeName, readSpan, ShapeError, type PlainAttributes } from './otlp-json.js';

export interface DocumentOptions {
  file: string;
  maxRecordBytes: number;
  /** A malformed part of the document (the reason says which). */
  malformed: (reason: string) => void;
}

const RESOURCE_ARRAYS = ['resourceLogs', 'resource_logs', 'resourceSpans', 'resource_spans'];
const SCOPE_ARRAYS = ['scopeLogs', 'scope_logs', 'scopeSpans', 'scope_spans'];
const RECORD_ARRAYS = ['logRecords', 'log_records'];
const METRIC_ARRAYS = ['resourceMetrics', 'resource_metrics'];

/** The parser's paths: every element we read, and metrics elements (so they are dropped, not kept). */
function selectedPaths(): string[] {
  const paths: string[] = [];
  for (const root of ['$', '$.*']) {
    for (const [resources, scopes, items] of [
      ['resourceLogs', 'scopeLogs', 'logRecords'], ['resource_logs', 'scope_logs', 'log_records'],
      ['resourceSpans', 'scopeSpans', 'spans'], ['resource_spans', 'scope_spans', 'spans'],
    ] as const) {
      paths.push(`${root}.${resources}.*.resource`, `${root}.${resources}.*.${scopes}.*.scope`, `${root}.${resources}.*.${scopes}.*.${items}.*`);
    }
    for (const metrics of METRIC_ARRAYS) paths.push(`${root}.${metrics}.*`);
  }
  return paths;
}

type Key = string | number | undefined;

export async function* readDocument(chunks: AsyncIterable<Buffer>, options: DocumentOptions): AsyncGenerator<AuditItem> {
  const location = { file: options.file, line: 0 };
  const parser = new JSONParser({ paths: selectedPaths(), keepStack: false, separator: '' });
  const queue: AuditItem[] = [];
  let resource: { prefix: string; value: PlainAttributes } | null = null;
  let scope: { prefix: string; value: string | null } | null = null;
  let found = 0;
  let bytesSinceValue = 0;

  parser.onValue = ({ value, key, stack }) => {
    bytesSinceValue = 0;
    const keys: Key[] = [...stack.slice(1).map((element) => element.key), key];
    const at = (fromEnd: number) => keys[keys.length - fromEnd];
    const prefix = (drop: number) => JSON.stringify(keys.slice(0, keys.length - drop));
    found++;
    try {
      if (key === 'resource' && RESOURCE_ARRAYS.includes(String(at(3)))) {
        resource = { prefix: prefix(1), value: readResource(value) };
      } else if (key === 'scope' && SCOPE_ARRAYS.includes(String(at(3)))) {
        scope = { prefix: prefix(1), value: readScopeName(value) };
      } else if (METRIC_ARRAYS.includes(String(at(2)))) {
        // recognised, not read
      } else {
        const ownResource = resource !== null && resource.prefix === prefix(4) ? resource.value : Object.create(null) as PlainAttributes;
        const ownScope = scope !== null && scope.prefix === prefix(2) ? scope.value : null;
        if (RECORD_ARRAYS.includes(String(at(2)))) queue.push({ kind: 'log', record: readLogRecord(value, ownResource, ownScope, location) });
        else queue.push({ kind: 'span', span: readSpan(value, ownResource, ownScope, location) });
      }
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      options.malformed(error.message);
    }
  };

  try {
    for await (const chunk of chunks) {
      bytesSinceValue += chunk.length;
      parser.write(chunk);
      if (bytesSinceValue > options.maxRecordBytes) {
        options.malformed(`a single value larger than ${options.maxRecordBytes} bytes (limit of one record); the rest of the file is skipped`);
        return;
      }
      while (queue.length > 0) yield queue.shift()!;
    }
    if (!parser.isEnded) parser.end();
  } catch (error) {
    if (isParseError(error)) {
      while (queue.length > 0) yield queue.shift()!;
      options.malformed(`not valid JSON (${(error as Error).message}); the rest of the file is skipped`);
      return;
    }
    throw error;
  }
  while (queue.length > 0) yield queue.shift()!;
  if (found === 0) options.malformed('not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)');
}

function isParseError(error: unknown): boolean {
  return error instanceof TokenizerError || error instanceof TokenParserError;
}
