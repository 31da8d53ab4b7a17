/**
 * W3C trace context for requests leaving the agent, as Codex builds it: `traceparent` of the span, and
 * `tracestate` with the configured members upserted field by field (codex-rs/otel `trace_context.rs`),
 * plus the parent from a `TRACEPARENT`/`TRACESTATE` environment (a caller's trace continues).
 */
import { ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';

export type TracestateEntries = Readonly<Record<string, Readonly<Record<string, string>>>>;

const propagator = new W3CTraceContextPropagator();
const recordSetter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => { carrier[key] = value; } };
const recordGetter: TextMapGetter<Record<string, string | undefined>> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier),
};

/** `traceparent` and, when there is one, `tracestate` for a request made inside the span of `ctx`. */
export function w3cHeaders(ctx: Context | undefined, configured: TracestateEntries): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!ctx || !trace.getSpanContext(ctx)) return headers;
  propagator.inject(ctx, headers, recordSetter);
  const merged = mergeTracestate(headers['tracestate'], configured);
  if (merged) headers['tracestate'] = merged;
  else delete headers['tracestate'];
  return headers;
}

/**
 * Upserts each configured member at the front of the list (in key order); inside a member that already
 * exists, configured fields replace theirs and the others are kept.
 */
export function mergeTracestate(existing: string | undefined, configured: TracestateEntries): string | undefined {
  let state = new TraceState(existing ?? '');
  for (const member of Object.keys(configured).sort().reverse()) {
    state = state.set(member, mergeMemberFields(state.get(member), configured[member]!));
  }
  const header = state.serialize();
  return header === '' ? undefined : header;
}

function mergeMemberFields(existing: string | undefined, configured: Readonly<Record<string, string>>): string {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const field of (existing ?? '').split(';')) {
    if (field === '') continue;
    const colon = field.indexOf(':');
    if (colon >= 0) {
      const key = field.slice(0, colon);
      if (Object.hasOwn(configured, key)) {
        if (!seen.has(key)) fields.push(`${key}:${configured[key]}`);
        seen.add(key);
        continue;
      }
      seen.add(key);
    }
    fields.push(field);
  }
  for (const key of Object.keys(configured).sort()) if (!seen.has(key)) fields.push(`${key}:${configured[key]}`);
  return fields.join(';');
}

/** The parent of root spans: the trace of `TRACEPARENT` (and `TRACESTATE`) when set and valid, else none. */
export function parentFromEnvironment(env: NodeJS.ProcessEnv): Context {
  const traceparent = env['TRACEPARENT'];
  if (!traceparent) return ROOT_CONTEXT;
  const extracted = propagator.extract(ROOT_CONTEXT, { traceparent, tracestate: env['TRACESTATE'] }, recordGetter);
  return trace.getSpanContext(extracted) ? extracted : ROOT_CONTEXT;
}
