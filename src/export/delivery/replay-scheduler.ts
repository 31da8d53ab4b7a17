/**
 * When a delivery processor sends batches of the spool: after start, after the collector came back, and
 * while the collector is down ("degraded") one probe batch after a growing, jittered delay. Also the pause
 * a long Retry-After asks for. Holds no records: only the decisions and the probe timer.
 */
import type { RetryPolicy } from './retry.js';

export class ReplayScheduler {
  /** A batch failed for good: next batches get one attempt, then the spool, until one succeeds. */
  degraded = false;
  private wanted = false;
  private probing = false;
  private probeDelay = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  /** Ready names tried in this pass: not claimed again until the pass ends. */
  readonly skip = new Set<string>();

  constructor(private readonly retry: RetryPolicy, private readonly onProbe: () => void) {}

  /** Send the spool when nothing live is waiting (after start, after a success that ended an outage). */
  want(): void {
    this.wanted = true;
  }

  /** True when a spooled batch may be claimed now; the caller reports `nothingLeft()` if there was none. */
  mayReplay(): boolean {
    return this.wanted && (!this.degraded || this.probing) && !this.paused();
  }

  /** A probe claims at most one batch. */
  claimed(): void {
    this.probing = false;
  }

  nothingLeft(): void {
    this.wanted = false;
    this.probing = false;
  }

  /** A send succeeded: an outage (if any) is over, and the spool is sent in the background. */
  succeeded(canReplay: boolean): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.probeDelay = 0;
    this.clearProbe();
    this.skip.clear();
    if (canReplay) this.wanted = true;
  }

  /** A send failed for good: degraded; a failed replay batch is skipped in this pass; probe later. */
  gaveUp(replayedFile: string | undefined, retryAfterMs: number | undefined, canProbe: boolean): void {
    this.degraded = true;
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
    if (replayedFile !== undefined) {
      this.skip.add(replayedFile);
      this.wanted = false;
    }
    if (canProbe) this.scheduleProbe();
  }

  /** The collector asked for a pause longer than the retry budget: live batches go straight to the spool. */
  paused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  stop(): void {
    this.wanted = false;
    this.clearProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer) return;
    const { initialBackoffMs, maxBackoffMs, random } = this.retry.options;
    this.probeDelay = Math.min(maxBackoffMs, this.probeDelay ? this.probeDelay * 2 : initialBackoffMs);
    const wait = Math.max(this.pausedUntil - Date.now(), this.probeDelay / 2 + random() * (this.probeDelay / 2));
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (!this.degraded) return;
      this.probing = true;
      this.wanted = true;
      this.skip.clear();
      this.onProbe();
    }, wait);
    this.probeTimer.unref();
  }

  private clearProbe(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }
}
