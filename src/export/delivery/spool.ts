/**
 * The durable spool: batches that could not be delivered, as OTLP/JSON lines files (one
 * `ExportLogsServiceRequest` per line, the format of the file output), resent by the next start or by
 * `codex-otel flush`, removed once the collector accepted them.
 *
 * File names (all in one folder; the name sorts oldest first):
 *
 *   logs-<ms since epoch, 13 digits>-<pid>-<seq>-n<records>.jsonl            ready: anyone may send it
 *   <ready name>.claim-<pid>-<token>                                         being sent by that process
 *   <ready name>.tmp-<pid>-<token>                                           being written by that process
 *
 * Claiming is a rename, atomic on one file system: of two processes renaming the same ready file, one
 * gets ENOENT and skips it, so no batch is sent twice. A claim or temporary file whose process is gone
 * (pid not alive, or our own pid with another token: a previous process that had our pid) is stale and
 * is claimed like a ready file, so a process killed with SIGKILL loses nothing it had written.
 *
 * All I/O here is synchronous: it runs on the export path (at most once per batch) and at the shutdown
 * bound, never on the caller's emit path, and a synchronous write is the only one that completes
 * before `process.exit()`.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { serializeLogsJson } from '../otlp-json.js';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { reviveLogsRequest } from './revive.js';
import type { DeliveryStats, Origin } from './stats.js';

export interface SpoolOptions {
  directory: string;
  /** Cap on the folder's total size; the oldest ready batches are dropped (and counted) to stay under it. */
  maxBytes: number;
  stats: DeliveryStats;
}

const READY = /^logs-(\d{13})-(\d+)-(\d+)-n(\d+)\.jsonl$/;
const OWNED = /^(logs-\d{13}-\d+-\d+-n(\d+)\.jsonl)\.(claim|tmp)-(\d+)-([0-9a-f]+)$/;

/** A file this process holds (claimed for sending, or written ahead of an export). */
export interface ClaimedBatch {
  /** Current path: a claim name of this process. */
  path: string;
  /** The ready name it returns to when released. */
  readyName: string;
  /** Records the file holds (from its name). */
  count: number;
}

let fileSequence = 0;

export class Spool {
  readonly directory: string;
  readonly maxBytes: number;
  private readonly stats: DeliveryStats;
  private readonly pid = process.pid;
  /** Per process, not per Spool: two pipelines of one process never take each other's claims for stale. */
  private readonly token = PROCESS_TOKEN;
  /** Bytes in the folder as last scanned, plus our own writes since; -1 before the first scan. */
  private used = -1;
  private directoryReady = false;

  constructor(options: SpoolOptions) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes;
    this.stats = options.stats;
  }

  /** Serializes a batch to one OTLP/JSON line; undefined when the serializer fails. */
  static encode(records: ReadableLogRecord[]): Buffer | undefined {
    try {
      const bytes = serializeLogsJson(records);
      return bytes ? Buffer.concat([bytes, NEWLINE]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Write-ahead: the batch about to be exported, as a claim of this process, so a crash (SIGKILL)
   * mid-export leaves it for the next run. Never evicts older batches (the export may well succeed);
   * returns undefined when it does not fit or cannot be written: the batch then lives in memory only.
   */
  writeAhead(records: ReadableLogRecord[]): ClaimedBatch | undefined {
    const data = Spool.encode(records);
    if (!data) return undefined;
    try {
      if (this.usedBytes() + data.length > this.maxBytes) return undefined;
      const readyName = this.newReadyName(records.length);
      const path = join(this.directory, `${readyName}.claim-${this.pid}-${this.token}`);
      this.atomicWrite(path, readyName, data);
      return { path, readyName, count: records.length };
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a batch for a later run: returns its ready name when it is on disk (every byte written and
   * fsynced). Over the cap, the oldest ready batches are dropped first (counted as `spool_full`); a batch
   * larger than the whole cap, or one that meets a full disk (ENOSPC, a short write), is dropped as
   * `spool_full` and its partial file removed. A folder that cannot be written drops it as `spool_unwritable`.
   * `from` says where the records are counted now: a batch read back from the spool is not spooled twice.
   */
  store(records: ReadableLogRecord[], from: Origin = 'memory'): string | undefined {
    if (records.length === 0) return undefined;
    const data = Spool.encode(records);
    if (!data) {
      this.stats.drop(records.length, 'spool_unwritable', 'cannot serialize', from);
      return undefined;
    }
    try {
      if (!this.makeRoom(data.length)) {
        this.stats.drop(records.length, 'spool_full', `batch of ${data.length} bytes, cap ${this.maxBytes}`, from);
        return undefined;
      }
      const readyName = this.newReadyName(records.length);
      this.atomicWrite(join(this.directory, readyName), readyName, data);
      if (from === 'memory') this.stats.spooled(records.length);
      return readyName;
    } catch (error) {
      if (isDiskFull(error)) this.stats.drop(records.length, 'spool_full', `${this.directory}: disk full (${describe(error)})`, from);
      else this.stats.drop(records.length, 'spool_unwritable', `${this.directory}: ${describe(error)}`, from);
      return undefined;
    }
  }

  /**
   * Gives a claimed batch back (export failed for now): it becomes ready for the next run. `fresh` is
   * true for a write-ahead batch of this process (counted as spooled now), false for a replayed one.
   */
  release(batch: ClaimedBatch, fresh: boolean): boolean {
    try {
      renameSync(batch.path, join(this.directory, batch.readyName));
      if (fresh) this.stats.spooled(batch.count);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A batch spooled at the shutdown bound was accepted after all (the host kept running): remove it,
   * unless another process already claimed it. Returns true when removed.
   */
  discard(readyName: string): boolean {
    const batch = { path: join(this.directory, `${readyName}.claim-${this.pid}-${this.token}`), readyName, count: 0 };
    try {
      renameSync(join(this.directory, readyName), batch.path);
    } catch {
      return false;
    }
    this.remove(batch);
    return true;
  }

  /** Deletes a claimed batch (the collector accepted it). */
  remove(batch: ClaimedBatch): void {
    try {
      const size = statSync(batch.path).size;
      unlinkSync(batch.path);
      if (this.used >= 0) this.used = Math.max(0, this.used - size);
    } catch {
      // already gone
    }
  }

  /**
   * Claims the oldest batch available to this process (ready, or stale), or undefined when none is.
   * `skip` holds ready names this process already tried in this pass.
   */
  claimNext(skip?: Set<string>): ClaimedBatch | undefined {
    for (const name of this.candidates()) {
      const owned = OWNED.exec(name);
      const readyName = owned ? owned[1]! : name;
      if (skip?.has(readyName)) continue;
      const count = Number(owned ? owned[2] : READY.exec(name)?.[4] ?? 0);
      const path = join(this.directory, `${readyName}.claim-${this.pid}-${this.token}`);
      try {
        renameSync(join(this.directory, name), path);
        return { path, readyName, count };
      } catch {
        // ENOENT: another process claimed it first. Anything else: skip this one.
      }
    }
    return undefined;
  }

  /** The records of a claimed batch; undecodable lines are counted as dropped (`spool_corrupt`). */
  read(batch: ClaimedBatch): ReadableLogRecord[] {
    let text: string;
    try {
      text = readFileSync(batch.path, 'utf8');
    } catch (error) {
      // Claimed by us, so it left the spool: say so, or the ledger would still count it there.
      this.stats.drop(batch.count, 'spool_corrupt', `${batch.readyName}: ${describe(error)}`, 'spool');
      return [];
    }
    const records: ReadableLogRecord[] = [];
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(...reviveLogsRequest(line));
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.stats.drop(Math.max(bad, batch.count - records.length), 'spool_corrupt', batch.readyName, 'spool');
    return records;
  }

  /** Ready and stale files, oldest first. */
  candidates(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch {
      return [];
    }
    return names.filter((name) => READY.test(name) || this.isStale(name)).sort();
  }

  /** What `codex-otel flush` and tests report: ready batches and their records. */
  pending(): { files: number; records: number } {
    let files = 0;
    let records = 0;
    for (const name of this.candidates()) {
      files++;
      records += Number(READY.exec(name)?.[4] ?? OWNED.exec(name)?.[2] ?? 0);
    }
    return { files, records };
  }

  private isStale(name: string): boolean {
    const owned = OWNED.exec(name);
    if (!owned) return false;
    const pid = Number(owned[4]);
    if (pid === this.pid) return owned[5] !== this.token;
    return !isAlive(pid);
  }

  private newReadyName(count: number): string {
    // One sequence per process: two Spools of one process on one folder must never pick the same name.
    fileSequence++;
    return `logs-${String(Date.now()).padStart(13, '0')}-${this.pid}-${fileSequence}-n${count}.jsonl`;
  }

  /**
   * Writes to a temporary name, checks that every byte was written, fsyncs, then renames: a reader never
   * sees half a file under a ready or claim name. A short write (a full disk can accept part of a buffer
   * without an error) or any error removes the temporary file and throws.
   */
  private atomicWrite(path: string, readyName: string, data: Buffer): void {
    this.ensureDirectory();
    const tmp = join(this.directory, `${readyName}.tmp-${this.pid}-${this.token}`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } catch (error) {
      closeQuietly(fd);
      unlinkQuietly(tmp);
      throw error;
    }
    closeSync(fd);
    try {
      renameSync(tmp, path);
    } catch (error) {
      unlinkQuietly(tmp);
      throw error;
    }
    if (this.used >= 0) this.used += data.length;
  }

  /** The folder is private (0700): it holds prompts' metadata and tool output of every session. */
  private ensureDirectory(): void {
    if (this.directoryReady) return;
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    try {
      if ((statSync(this.directory).mode & 0o077) !== 0) chmodSync(this.directory, 0o700);
    } catch {
      // not ours to change (another user's folder): writing will tell
    }
    this.directoryReady = true;
  }

  /** Files in the folder this project did not write: left alone, never sent, reported by `flush`. */
  foreign(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch {
      return [];
    }
    return names.filter((name) => !READY.test(name) && !OWNED.test(name)).sort();
  }

  private usedBytes(): number {
    if (this.used < 0) this.rescan();
    return this.used;
  }

  private rescan(): void {
    let total = 0;
    let names: string[] = [];
    try {
      names = readdirSync(this.directory);
    } catch {
      // missing folder: empty
    }
    for (const name of names) {
      try {
        total += statSync(join(this.directory, name)).size;
      } catch {
        // removed meanwhile
      }
    }
    this.used = total;
  }

  /** Drops the oldest ready batches until `size` more bytes fit; false when even an empty spool is too small. */
  private makeRoom(size: number): boolean {
    if (size > this.maxBytes) return false;
    if (this.usedBytes() + size <= this.maxBytes) return true;
    this.rescan(); // other processes may have sent or dropped batches
    if (this.used + size <= this.maxBytes) return true;
    let names: string[];
    try {
      names = readdirSync(this.directory).filter((name) => READY.test(name)).sort();
    } catch {
      return false;
    }
    for (const name of names) {
      if (this.used + size <= this.maxBytes) break;
      const match = READY.exec(name)!;
      const victim = join(this.directory, `${name}.claim-${this.pid}-${this.token}`);
      try {
        renameSync(join(this.directory, name), victim); // claim first: never delete what another process is sending
        const bytes = statSync(victim).size;
        unlinkSync(victim);
        this.used -= bytes;
        this.stats.drop(Number(match[4]), 'spool_full', `oldest batch ${name} removed, cap ${this.maxBytes} bytes`, 'spool');
      } catch {
        // claimed by another process meanwhile
      }
    }
    return this.used + size <= this.maxBytes;
  }

}

const NEWLINE = Buffer.from('\n');

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { shortWrite?: boolean };
  if (e?.shortWrite) return e.message;
  return e?.code ?? e?.message ?? 'error';
}

/**
 * Writes every byte or throws. A full disk takes what fits without an error (a short write); the next
 * write then fails (ENOSPC, EFBIG), and the error says how far it got.
 */
function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) {
    let n: number;
    try {
      n = writeSync(fd, data, written, data.length - written);
    } catch (error) {
      if (written === 0) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw Object.assign(new Error(`${code} after a short write of ${written} of ${data.length} bytes`), { code, shortWrite: true });
    }
    if (n <= 0) throw Object.assign(new Error(`ENOSPC: wrote ${written} of ${data.length} bytes`), { code: 'ENOSPC', shortWrite: true });
    written += n;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}
const PROCESS_TOKEN = randomBytes(4).toString('hex');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
