/**
 * FILE_OR_DIR arguments → the files to read. A file is read whatever its name. A directory means its
 * OTLP/JSON files at any depth (`*.json`, `*.jsonl`, `*.ndjson`, each optionally `.gz`), except those
 * whose name starts with `metrics` (metrics carry no audit facts); symbolic links to directories are
 * not followed (no loops). Within a folder, rotated files are read oldest first (`logs.2.jsonl`,
 * `logs.1.jsonl`, `logs.jsonl`), then its sub-folders in name order.
 * Every argument is checked before anything is read: the caller can refuse the run before printing.
 */
import { access, constants, lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ExpandedInputs {
  files: string[];
  /** One message per argument that could not be used, naming it. */
  errors: string[];
  /** Total size on disk of `files` (for progress). */
  totalBytes: number;
}

const DATA_FILE = /\.(?:jsonl|json|ndjson)(?:\.gz)?$/i;
const METRICS_FILE = /^metrics/i;
const ROTATED = /^(.*?)(?:\.(\d+))?\.(?:jsonl|json|ndjson)(?:\.gz)?$/i;

export async function expandAuditInputs(paths: readonly string[]): Promise<ExpandedInputs> {
  const files: string[] = [];
  const errors: string[] = [];
  let totalBytes = 0;
  const seen = new Set<string>();
  const add = (file: string, size: number) => {
    const key = resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
    totalBytes += size;
  };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
      await access(path, constants.R_OK);
    } catch (error) {
      errors.push(`${path}: ${describeIoError(error)}`);
      continue;
    }
    if (!info.isDirectory()) {
      add(path, info.size);
      continue;
    }
    const found: Array<{ file: string; size: number }> = [];
    try {
      await walk(path, found);
    } catch (error) {
      errors.push(`${(error as { path?: string }).path ?? path}: ${describeIoError(error)}`);
      continue;
    }
    if (found.length === 0) errors.push(`${path}: no OTLP/JSON files (*.json, *.jsonl, *.ndjson, optionally .gz) in this directory or below`);
    for (const f of found) add(f.file, f.size);
  }
  return { files, errors, totalBytes };
}

async function walk(dir: string, found: Array<{ file: string; size: number }>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => isDataFileName(e.name)).map((e) => e.name);
  for (const name of orderLogFileNames(names)) {
    const full = join(dir, name);
    const info = await stat(full).catch(() => null);
    if (info?.isFile()) found.push({ file: full, size: info.size });
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(compareText);
  for (const name of dirs) {
    const full = join(dir, name);
    if ((await lstat(full)).isSymbolicLink()) continue;
    await walk(full, found);
  }
}

/** True for the names a directory argument includes. */
export function isDataFileName(name: string): boolean {
  return DATA_FILE.test(name) && !METRICS_FILE.test(name);
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
