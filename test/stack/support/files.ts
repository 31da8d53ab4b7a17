import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readText(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

/** Parses YAML strictly: duplicate keys and syntax errors throw. */
export function readYaml<T = any>(path: string): T {
  return parse(readText(path), { uniqueKeys: true, strict: true }) as T;
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readText(path)) as T;
}

/** Files under a folder of the repo (relative paths), filtered by extension. */
export function listFiles(folder: string, extensions: string[]): string[] {
  const root = repoPath(folder);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (extensions.some((ext) => entry.name.endsWith(ext))) out.push(relative(REPO_ROOT, full));
    }
  };
  walk(root);
  return out.sort();
}
