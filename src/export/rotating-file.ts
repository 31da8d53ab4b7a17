import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends lines to a file and rotates it by size: `name.jsonl` → `name.1.jsonl` → … → `name.<keep>.jsonl`.
 * Writes are queued so lines never interleave, and nothing here runs on the caller's emit path.
 */
export class RotatingLineFile {
  private size = -1;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string, private readonly maxBytes: number, private readonly keep: number) {}

  append(line: string | Uint8Array): Promise<void> {
    const data = Buffer.concat([typeof line === 'string' ? Buffer.from(line) : line, NEWLINE]);
    const write = this.queue.then(() => this.write(data));
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** Resolves when every queued line is written (or failed). */
  drain(): Promise<void> {
    return this.queue;
  }

  private async write(data: Buffer): Promise<void> {
    if (this.size < 0) {
      await mkdir(dirname(this.path), { recursive: true });
      this.size = await stat(this.path).then((s) => s.size, () => 0);
    }
    if (this.size > 0 && this.size + data.length > this.maxBytes) await this.rotate();
    await appendFile(this.path, data);
    this.size += data.length;
  }

  private async rotate(): Promise<void> {
    await rm(this.rotatedPath(this.keep), { force: true });
    for (let index = this.keep - 1; index >= 1; index--) {
      await rename(this.rotatedPath(index), this.rotatedPath(index + 1)).catch(ignoreMissing);
    }
    await rename(this.path, this.rotatedPath(1)).catch(ignoreMissing);
    this.size = 0;
  }

  rotatedPath(index: number): string {
    return this.path.replace(/(\.jsonl)?$/, `.${index}$1`);
  }
}

const NEWLINE = Buffer.from('\n');

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
