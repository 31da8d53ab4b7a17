/**
 * When to try a failed export again: exponential backoff with full jitter ("Exponential Backoff And
 * Jitter", AWS Architecture Blog), a Retry-After from the server taking precedence, and a total time
 * budget per batch after which the batch goes to the spool instead of holding the queue.
 */

export interface RetryOptions {
  /** First backoff ceiling (the wait is uniform in [0, ceiling]). Default 500 ms. */
  initialBackoffMs?: number;
  /** Largest backoff ceiling. Default 10 s. */
  maxBackoffMs?: number;
  /** Total time one batch may spend in retries before it is spooled. Default 30 s. */
  budgetMs?: number;
  /** Attempts per batch, the first included. Default 8. */
  maxAttempts?: number;
  /** Longest Retry-After honoured; a longer one spools the batch at once (and pauses sending). Default 60 s. */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1); tests pass their own. */
  random?: () => number;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'random'>> = {
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  budgetMs: 30_000,
  maxAttempts: 8,
  maxRetryAfterMs: 60_000,
};

export class RetryPolicy {
  readonly options: Required<RetryOptions>;

  constructor(options: RetryOptions = {}) {
    this.options = { ...DEFAULT_RETRY, random: Math.random, ...stripUndefined(options) };
  }

  /**
   * The wait before attempt `attempt + 1`, or undefined to stop retrying. `elapsedMs` is the time since
   * the batch's first attempt; `retryAfterMs` the server's answer, honoured exactly (never shortened).
   */
  nextDelay(attempt: number, elapsedMs: number, retryAfterMs?: number): number | undefined {
    const o = this.options;
    if (attempt >= o.maxAttempts) return undefined;
    let delay: number;
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > o.maxRetryAfterMs) return undefined;
      delay = retryAfterMs;
    } else {
      const ceiling = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** (attempt - 1));
      delay = Math.floor(o.random() * ceiling);
    }
    return elapsedMs + delay > o.budgetMs ? undefined : delay;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
