/**
 * The spool: batches that could not be delivered, as OTLP/JSON lines files (one `Export…ServiceRequest`
 * per line, the format of the file output), resent by the next start or by `codex-otel flush`, removed
 * once the collector accepted them. Log records and spans share one folder and one cap; each file holds
 * one signal, named by its prefix, and a `Spool` object is the view of one signal (its codec, its account
 * in the ledger).
 *
 * File names (all in one folder; within a signal the name sorts oldest first):
 *
 *   <signal>-<ms since epoch, 13 digits>-<pid>-<seq>-n<items>.jsonl        ready: anyone may send it
 *   <ready name>.claim-<pid>-<token>                                       being sent by that process
 *   <ready name>.tmp-<pid>-<token>                                         being written by that process
 *
 * `<signal>` is `logs` (log records, the only signal before spans were spooled: those files replay as
 * they are) or `traces` (spans). A version that knows only `logs` leaves `traces` files alone (but counts
 * their bytes against the cap, and evicts only `logs` files to stay under it).
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
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LOGS_CODEC, type SpoolCodec } from './spool-codec.js';
import type { Origin, SignalLedger, SpooledSignal } from './stats.js';

export interface SpoolOptions<Item = ReadableLogRecord> {
  directory: string;
  /** Cap on the folder's total size (every signal); the oldest ready batches are dropped (and counted) to stay under it. */
  maxBytes: number;
  /** The account of this spool's signal. */
  stats: SignalLedger;
  /** How this signal's batches are written and read back; default: log records. */
  codec?: SpoolCodec<Item>;
  /**
   * The accounts of the other signals in the folder: over the cap, the oldest batch of any signal goes first
   * (counted in its own account). Without it only this signal's batches are evicted.
   */
  accountOf?: (signal: SpooledSignal) => SignalLedger | undefined;
}

const SIGNALS = '(logs|traces)';
const ANY_READY = new RegExp(`^${SIGNALS}-(\\d{13})-(\\d+)-(\\d+)-n(\\d+)\\.jsonl$`);
const ANY_OWNED = new RegExp(`^(${SIGNALS}-\\d{13}-\\d+-\\d+-n(\\d+)\\.jsonl)\\.(claim|tmp)-(\\d+)-([0-9a-f]+)$`);

interface FolderState {
  used: number;
  ready: boolean;
}

/** A file this process holds (claimed for sending, or written ahead of an export). */
export interface ClaimedBatch {
  /** Current path: a claim name of this process. */
  path: string;
  /** The ready name it returns to when released. */
  readyName: string;
  /** Items the file holds (from its name). */
  count: number;
}

let fileSequence = 0;

export class Spool<Item = ReadableLogRecord> {
  readonly directory: string;
  readonly maxBytes: number;
  readonly signal: SpooledSignal;
  private readonly stats: SignalLedger;
  private readonly codec: SpoolCodec<Item>;
  private readonly accountOf: ((signal: SpooledSignal) => SignalLedger | undefined) | undefined;
  private readonly pid = process.pid;
  /** Per process, not per Spool: two pipelines of one process never take each other's claims for stale. */
  private readonly token = PROCESS_TOKEN;
  /** Shared by the views of one folder (`forSignal`): the bytes in it and whether it was created. */
  private readonly folder: FolderState;

  constructor(options: SpoolOptions<Item>, folder?: FolderState) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes;
    this.stats = options.stats;
    this.codec = options.codec ?? (LOGS_CODEC as unknown as SpoolCodec<Item>);
    this.signal = this.codec.signal;
    this.accountOf = options.accountOf;
    this.folder = folder ?? { used: -1, ready: false };
  }

  /** The view of another signal on the same folder and cap, sharing what this process knows of its size. */
  forSignal<Other>(codec: SpoolCodec<Other>, stats: SignalLedger): Spool<Other> {
    return new Spool<Other>({ directory: this.directory, maxBytes: this.maxBytes, stats, codec, ...(this.accountOf ? { accountOf: this.accountOf } : {}) }, this.folder);
  }

  /** Bytes in the folder as last scanned, plus this process's writes since; -1 before the first scan. */
  private get used(): number {
    return this.folder.used;
  }

  private set used(value: number) {
    this.folder.used = value;
  }

  /** Serializes a batch to one OTLP/JSON line; undefined when the serializer fails. */
  encode(items: Item[]): Buffer | undefined {
    try {
      const bytes = this.codec.encode(items);
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
  writeAhead(items: Item[]): ClaimedBatch | undefined {
    const data = this.encode(items);
    if (!data) return undefined;
    try {
      if (this.usedBytes() + data.length > this.maxBytes) return undefined;
      const readyName = this.newReadyName(items.length);
      const path = join(this.directory, `${readyName}.claim-${this.pid}-${this.token}`);
      this.atomicWrite(path, readyName, data);
      return { path, readyName, count: items.length };
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a batch for a later run: returns its ready name when it is on disk (every byte written and
   * fsynced). Over the cap, the oldest ready batches are dropped first (counted as `spool_full`); a batch
   * larger than the whole cap, or one that meets a full disk (ENOSPC, a short write), is dropped as
   * `spool_full` and its partial file removed. A folder that cannot be written drops it as `spool_unwritable`.
   * `from` says where the items are counted now: a batch read back from the spool is not spooled twice.
   */
  store(items: Item[], from: Origin = 'memory'): string | undefined {
    if (items.length === 0) return undefined;
    const data = this.encode(items);
    if (!data) {
      this.stats.drop(items.length, 'spool_unwritable', 'cannot serialize', from);
      return undefined;
    }
    try {
      if (!this.makeRoom(data.length)) {
        this.stats.drop(items.length, 'spool_full', `batch of ${data.length} bytes, cap ${this.maxBytes}`, from);
        return undefined;
      }
      const readyName = this.newReadyName(items.length);
      this.atomicWrite(join(this.directory, readyName), readyName, data);
      if (from === 'memory') this.stats.spooled(items.length);
      return readyName;
    } catch (error) {
      if (isDiskFull(error)) this.stats.drop(items.length, 'spool_full', `${this.directory}: disk full (${describe(error)})`, from);
      else this.stats.drop(items.length, 'spool_unwritable', `${this.directory}: ${describe(error)}`, from);
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
   * Claims the oldest batch of this signal available to this process (ready, or stale), or undefined when
   * none is. `skip` holds ready names this process already tried in this pass.
   */
  claimNext(skip?: Set<string>): ClaimedBatch | undefined {
    for (const name of this.candidates()) {
      const owned = ANY_OWNED.exec(name);
      const readyName = owned ? owned[1]! : name;
      if (skip?.has(readyName)) continue;
      const count = Number(owned ? owned[3] : ANY_READY.exec(name)?.[5] ?? 0);
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

  /** The items of a claimed batch; undecodable lines are counted as dropped (`spool_corrupt`). */
  read(batch: ClaimedBatch): Item[] {
    let text: string;
    try {
      text = readFileSync(batch.path, 'utf8');
    } catch (error) {
      // Claimed by us, so it left the spool: say so, or the ledger would still count it there.
      this.stats.drop(batch.count, 'spool_corrupt', `${batch.readyName}: ${describe(error)}`, 'spool');
      return [];
    }
    const items: Item[] = [];
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        items.push(...this.codec.decode(line));
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.stats.drop(Math.max(bad, batch.count - items.length), 'spool_corrupt', batch.readyName, 'spool');
    return items;
  }

  /** Ready and stale files of this signal, oldest first. */
  candidates(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch {
      return [];
    }
    return names.filter((name) => this.isReady(name) || this.isStale(name)).sort();
  }

  /** What `codex-otel flush` and tests report: ready batches of this signal and their items. */
  pending(): { files: number; records: number } {
    let files = 0;
    let records = 0;
    for (const name of this.candidates()) {
      files++;
      records += Number(ANY_READY.exec(name)?.[5] ?? ANY_OWNED.exec(name)?.[3] ?? 0);
    }
    return { files, records };
  }

  private isReady(name: string): boolean {
    return ANY_READY.exec(name)?.[1] === this.signal;
  }

  private isStale(name: string): boolean {
    const owned = ANY_OWNED.exec(name);
    if (!owned || owned[2] !== this.signal) return false;
    const pid = Number(owned[5]);
    if (pid === this.pid) return owned[6] !== this.token;
    return !isAlive(pid);
  }

  private newReadyName(count: number): string {
    // One sequence per process: two Spools of one process on one folder must never pick the same name.
    fileSequence++;
    return `${this.signal}-${String(Date.now()).padStart(13, '0')}-${this.pid}-${fileSequence}-n${count}.jsonl`;
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
    if (this.folder.ready) return;
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    try {
      if ((statSync(this.directory).mode & 0o077) !== 0) chmodSync(this.directory, 0o700);
    } catch {
      // not ours to change (another user's folder): writing will tell
    }
    this.folder.ready = true;
  }

  /** Files in the folder this project did not write (of no signal): left alone, never sent, reported by `flush`. */
  foreign(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.directory);
    } catch {
      return [];
    }
    return names.filter((name) => !ANY_READY.test(name) && !ANY_OWNED.test(name)).sort();
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

  /**
   * Drops the oldest ready batches (of any signal whose account this spool knows, by time) until `size` more
   * bytes fit; false when even an empty spool is too small.
   */
  private makeRoom(size: number): boolean {
    if (size > this.maxBytes) return false;
    if (this.usedBytes() + size <= this.maxBytes) return true;
    this.rescan(); // other processes may have sent or dropped batches
    if (this.used + size <= this.maxBytes) return true;
    let victims: Array<{ name: string; account: SignalLedger; count: number; key: string }>;
    try {
      victims = [];
      for (const name of readdirSync(this.directory)) {
        const match = ANY_READY.exec(name);
        if (!match) continue;
        const signal = match[1] as SpooledSignal;
        const account = signal === this.signal ? this.stats : this.accountOf?.(signal);
        // Oldest first across signals: by time, then by the writer's sequence.
        if (account) victims.push({ name, account, count: Number(match[5]), key: `${match[2]}-${match[4]!.padStart(12, '0')}-${match[3]!.padStart(10, '0')}` });
      }
    } catch {
      return false;
    }
    victims.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { name, account, count } of victims) {
      if (this.used + size <= this.maxBytes) break;
      const victim = join(this.directory, `${name}.claim-${this.pid}-${this.token}`);
      try {
        renameSync(join(this.directory, name), victim); // claim first: never delete what another process is sending
        const bytes = statSync(victim).size;
        unlinkSync(victim);
        this.used -= bytes;
        account.drop(count, 'spool_full', `oldest batch ${name} removed, cap ${this.maxBytes} bytes`, 'spool');
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
