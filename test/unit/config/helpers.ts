import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { parseConfigText } from '../../../src/config/index.js';
import type { ConfigResult } from '../../../src/config/index.js';

/** A folder that does not exist: relative paths of text-only parses resolve here, so nothing on disk leaks in. */
export const NO_DIR = join(tmpdir(), 'codex-otel-test-no-such-folder');

/** Parses config text with an explicit (by default empty) environment, never process.env. */
export function parse(text: string, env: NodeJS.ProcessEnv = {}, path?: string): ConfigResult {
  return parseConfigText(text, path !== undefined ? { env, path } : { env, baseDir: NO_DIR });
}

/** The `[otel]` table text for one logs exporter written inline. */
export function otel(lines: string): string {
  return `[otel]\n${lines}\n`;
}

const made: string[] = [];

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'codex-otel-config-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes `content` at `dir/relative`, creating folders; returns the absolute path. */
export function writeIn(dir: string, relative: string, content: string): string {
  const file = join(dir, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The loaded config, failing the test with every problem listed when there is none. */
export function ok(result: ConfigResult) {
  if (!result.config) throw new Error(`expected a config, got errors:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.config;
}
