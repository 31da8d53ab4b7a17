/**
 * How a failed export is classified, whatever the transport: retry it (and when), split it, drop it, or
 * keep it for later. Our HTTP transport (`http-transport.ts`) answers with a `DeliveryError` carrying the
 * status and Retry-After; the gRPC exporter's ServiceError is read as it is.
 */

/** gRPC status codes used here (values of `status` in @grpc/grpc-js, not imported so it loads lazily). */
export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** Retryable per the OTLP spec ("OTLP/gRPC Throttling" and "Failures"). */
const RETRYABLE_GRPC = new Set<number>([GRPC.CANCELLED, GRPC.DEADLINE_EXCEEDED, GRPC.RESOURCE_EXHAUSTED, GRPC.ABORTED,
  GRPC.OUT_OF_RANGE, GRPC.UNAVAILABLE, GRPC.DATA_LOSS]);
const RETRYABLE_HTTP = new Set([408, 429, 502, 503, 504]);
/** How gRPC servers (grpc-go: the collector; grpc-js) word a message over their size limit. */
const MESSAGE_TOO_LARGE = /larger than max|message too large|exceeds.*(size|limit)|size.*exceed/i;
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND',
  'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export interface FailureClass {
  retryable: boolean;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs?: number;
  /**
   * The collector said the data itself is bad (HTTP 400, gRPC INVALID_ARGUMENT): resending it later
   * cannot succeed, so it is not spooled. Auth and routing errors (401, 403, 404, UNAUTHENTICATED, …)
   * are not "rejected": a corrected config can deliver the same batch, so those batches are spooled.
   */
  rejected: boolean;
  /**
   * The request was too large for the receiver (HTTP 413, gRPC RESOURCE_EXHAUSTED about the message size):
   * the same bytes can never pass, a smaller batch can. The batch is split, down to one record.
   */
  tooLarge?: boolean;
  /** Short description for diagnostics: `HTTP 503`, `gRPC UNAVAILABLE`, `ECONNREFUSED`, … */
  what: string;
}

/** An export failure with the raw answer kept: made by our HTTP transport. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(message: string, readonly failure: FailureClass, cause?: unknown) {
    super(message, { cause });
  }
}

/** Classifies whatever an exporter reported as `result.error`. */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof DeliveryError) return error.failure;
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  // gRPC ServiceError: numeric `code` and `details`/`metadata`.
  if (typeof e.code === 'number' && e.code >= 0 && e.code <= 16 && ('details' in e || 'metadata' in e)) {
    const details = typeof (e as { details?: unknown }).details === 'string' ? (e as { details: string }).details : message;
    if (e.code === GRPC.RESOURCE_EXHAUSTED && MESSAGE_TOO_LARGE.test(details)) {
      return { retryable: false, rejected: false, tooLarge: true, what: 'gRPC RESOURCE_EXHAUSTED (message too large)' };
    }
    return { retryable: RETRYABLE_GRPC.has(e.code), rejected: e.code === GRPC.INVALID_ARGUMENT, what: `gRPC ${grpcName(e.code)}` };
  }
  // OTLPExporterError: numeric HTTP status in `code`.
  if (typeof e.code === 'number' && e.code >= 100 && e.code < 600) {
    if (e.code === 413) return { retryable: false, rejected: false, tooLarge: true, what: 'HTTP 413' };
    return { retryable: RETRYABLE_HTTP.has(e.code), rejected: e.code === 400, what: `HTTP ${e.code}` };
  }
  if (typeof e.code === 'string') return { retryable: RETRYABLE_NETWORK.has(e.code), rejected: false, what: e.code };
  // Timeouts and "retryable status" messages of the SDK; anything unknown is worth another try.
  return { retryable: true, rejected: false, what: message.slice(0, 120) };
}

function grpcName(code: number): string {
  return Object.entries(GRPC).find(([, value]) => value === code)?.[0] ?? `code ${code}`;
}
