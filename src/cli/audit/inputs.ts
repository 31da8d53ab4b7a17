/**
 * FILE_OR_DIR arguments → the files to read. A file is read whatever its name. A directory means its
 * `*.jsonl` and `*.jsonl.gz` files (not recursive), except those whose name starts with `metrics`,
 * `traces` or `spans`; rotated files are read oldest first (`logs.2.jsonl`, `logs.1.jsonl`, `logs.jsonl`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ExpandedInputs {
  files: string[];
  /** One message per argument that could not be used, naming it. */
  errors: string[];
}

const LOG_FILE = /\.jsonl(?:\.gz)?$/i;
const OTHER_SIGNAL_FILE = /^(?:metrics|traces|spans)/i;
const ROTATED = /^(.*?)(?:\.(\d+))?\.jsonl(?:\.gz)?$/i;

export async function expandAuditInputs(paths: readonly string[]): Promise<ExpandedInputs> {
  const files: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      errors.push(`${path}: ${describeIoError(error)}`);
      continue;
    }
    if (!isDirectory) {
      add(path);
      continue;
    }
    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      errors.push(`${path}: ${describeIoError(error)}`);
      continue;
    }
    const logs = orderLogFileNames(names.filter(isLogFileName));
    const regular: string[] = [];
    for (const name of logs) {
      const full = join(path, name);
      if (await stat(full).then((s) => s.isFile(), () => false)) regular.push(full);
    }
    if (regular.length === 0) errors.push(`${path}: no log files (*.jsonl, *.jsonl.gz) in this directory`);
    regular.forEach(add);
  }
  return { files, errors };
}

/** True for the names a directory argument includes. */
export function isLogFileName(name: string): boolean {
  return LOG_FILE.test(name) && !OTHER_SIGNAL_FILE.test(name);
}

/** Sorts by base name, then rotation index descending (oldest first), the unrotated file last. */
export function orderLogFileNames(names: readonly string[]): string[] {
  const keyed = names.map((name) => {
    const match = ROTATED.exec(name);
    return { name, stem: match?.[1] ?? name, index: match?.[2] === undefined ? 0 : Number(match[2]) };
  });
  keyed.sort((a, b) => compareText(a.stem, b.stem) || b.index - a.index || compareText(a.name, b.name));
  return keyed.map((k) => k.name);
}

/** `ENOENT` and friends as words a person reads. */
export function describeIoError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR': return `corrupt gzip data (${e.message})`;
    default: return e?.message ?? String(error);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
