import type { Session } from './session.js';
import type { ApiRequestInput, SseCompletedInput, ToolResultInput } from './events/inputs.js';

/** What the SSE wrapper needs to know about a stream's events. */
export interface SseEventReader<E> {
  /** The SSE `event:` value, e.g. `response.output_text.delta`. */
  kind(event: E): string | undefined;
  /** Token usage when this event completes the response (`response.completed`). */
  usage?(event: E): SseCompletedInput | undefined;
  /** An error message when this event reports a failure. */
  error?(event: E): string | undefined;
}

/**
 * Wraps a stream of server-sent events: yields every event unchanged and records a `codex.sse_event` per
 * chunk with the time waited for it, then for the completion a second record with its usage, and a
 * failure if the stream throws. With spans on, the stream belongs to the open model request (started here
 * when none is), the completion gets a `handle_responses` span with its usage, and the request ends with
 * the stream.
 */
export async function* instrumentSseStream<E>(session: Session, stream: AsyncIterable<E>, reader: SseEventReader<E>): AsyncGenerator<E> {
  const iterator = stream[Symbol.asyncIterator]();
  let completed = false;
  let finished = false;
  let streamError: string | undefined;
  const request = session.spans ? safe(() => session.spans!.modelRequest()) : undefined;
  try {
    for (;;) {
      const started = performance.now();
      let step: IteratorResult<E>;
      try {
        step = await iterator.next();
      } catch (error) {
        finished = true;
        streamError = errorMessage(error);
        if (!completed) session.sseEventFailed({ durationMs: performance.now() - started, error: streamError });
        throw error;
      }
      if (step.done) {
        finished = true;
        return;
      }
      const event = step.value;
      const durationMs = performance.now() - started;
      const usage = safe(() => reader.usage?.(event));
      const failure = safe(() => reader.error?.(event));
      if (usage) {
        // Codex logs the `response.completed` chunk like any other, then its usage record.
        completed = true;
        session.sseEvent({ kind: safe(() => reader.kind(event)) ?? 'response.completed', durationMs });
        session.sseEventCompleted(usage, { waitMs: durationMs });
      } else if (failure !== undefined) {
        const kind = safe(() => reader.kind(event));
        if (kind === 'response.completed') session.sseEventCompletedFailed({ error: failure });
        else session.sseEventFailed({ ...(kind !== undefined ? { kind } : {}), durationMs, error: failure });
      } else {
        session.sseEvent({ kind: safe(() => reader.kind(event)) ?? 'unknown', durationMs });
      }
      yield event;
    }
  } finally {
    // The consumer stopped early (break, return, throw): close the upstream stream as `for await` would.
    if (request) safe(() => request.end(completed ? undefined : streamError));
    if (!finished) await iterator.return?.();
  }
}

/** What `timeApiRequest` hands the attempt: W3C headers of its span, to send with the request (`{}` with spans off). */
export interface AttemptTrace {
  traceHeaders: Record<string, string>;
}

/**
 * Times one API attempt around a promise and records `codex.api_request`: the status from the result
 * (or the error's `status`), the error message on failure. The promise's outcome is passed through.
 */
export async function timeApiRequest<T>(
  session: Session,
  request: Omit<ApiRequestInput, 'durationMs' | 'status' | 'error'> & { statusOf?: (result: T) => number | undefined },
  attempt: (trace: AttemptTrace) => Promise<T>,
): Promise<T> {
  const { statusOf, ...fields } = plainCopy(request);
  // With spans on, the attempt is a `responses.stream_request` span under the open model request.
  const done = session.spans ? safe(() => session.spans!.modelRequest().startAttempt()) : undefined;
  const trace: AttemptTrace = { traceHeaders: done ? safe(() => session.spans!.openRequest?.traceHeaders()) ?? {} : {} };
  const started = performance.now();
  try {
    const result = await attempt(trace);
    // Without statusOf, a fetch-like result carries its own `status`.
    const status = safe(() => (statusOf ? statusOf(result) : statusField(result)));
    session.apiRequest({ ...fields, durationMs: performance.now() - started, ...(status !== undefined ? { status } : {}) });
    if (done) safe(() => done(status !== undefined && status >= 400 ? `http ${status}` : undefined));
    return result;
  } catch (error) {
    const status = (error as { status?: unknown })?.status;
    const message = errorMessage(error);
    session.apiRequest({
      ...fields,
      durationMs: performance.now() - started,
      ...(typeof status === 'number' ? { status } : {}),
      error: message,
    });
    if (done) safe(() => done(message));
    throw error;
  }
}

/**
 * Times one tool call and records `codex.tool_result` with its output (stringified) and success.
 * A thrown error is recorded as a failed call with the error as output, then rethrown.
 *
 * Whether the tool may run is the caller's decision: `run` is always called. For a call already denied
 * (its `toolDecision` ended the span with `aborted = true`), use it only to report the rejection to the
 * model, as Codex does: the record goes into the span the denial ended and no second span is opened.
 */
export async function timeToolCall<T>(
  session: Session,
  call: Omit<ToolResultInput, 'durationMs' | 'success' | 'output'> & {
    outputOf?: (result: T) => string;
    successOf?: (result: T) => boolean;
  },
  run: () => Promise<T>,
): Promise<T> {
  const { outputOf, successOf, ...fields } = plainCopy(call);
  // With spans on, the call's span (started by its decision, or here) is open while the tool runs; a
  // denied call keeps the one span its denial ended (Codex has one span per call id).
  if (session.spans) {
    safe(() => {
      const spans = session.spans!;
      const tool = spans.toolCall(fields.callId) ?? (spans.wasDenied(fields.callId) ? undefined : spans.startToolCall(fields));
      if (tool) tool.running = true;
    });
  }
  const started = performance.now();
  try {
    const result = await run();
    session.toolResult({
      ...fields,
      durationMs: performance.now() - started,
      success: safe(() => successOf?.(result)) ?? true,
      output: safe(() => outputOf?.(result)) ?? (typeof result === 'string' ? result : safeJson(result)),
    });
    return result;
  } catch (error) {
    // An aborted run (AbortSignal) never finished: its span ends with `aborted = true`.
    const aborted = (error as { name?: unknown } | null)?.name === 'AbortError';
    session.toolResult({ ...fields, durationMs: performance.now() - started, success: false, output: errorMessage(error) }, { aborted });
    throw error;
  }
}

function statusField(result: unknown): number | undefined {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : safeJson(error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A caller's accessor must not break the caller's stream. */
function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The caller's description as a plain object; one that throws when read (getter, Proxy) counts as empty. */
function plainCopy<T extends object>(value: T): T {
  try {
    return { ...value };
  } catch {
    return {} as T;
  }
}
