/**
 * The layering of ../shared/design.md, checked over every import of src/ (static, `export … from`,
 * dynamic `import()` and `require`): config knows nothing downstream; events and traces know nothing of
 * export; redact is pure (a leaf without I/O or ambient state); the library never imports the CLI.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The layer of a file: its first folder under src/, or `library` for the files directly in src/. */
function layerOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0]! : 'library';
}

interface Import { from: string; layer: string; specifier: string; target?: string; targetLayer?: string; text: string }

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

/** Strips comments so an example in a comment is not an import. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function importsOf(file: string): Import[] {
  const text = code(readFileSync(file, 'utf8'));
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[2]!;
    const base = { from: relative(root, file), layer: layerOf(file), specifier, text: match[0].trim() };
    if (!specifier.startsWith('.')) return base;
    const target = resolve(dirname(file), specifier);
    return { ...base, target: relative(root, target), targetLayer: target.startsWith(src + sep) ? layerOf(target) : 'outside' };
  });
}

function allImports(): Import[] {
  return sourceFiles(src).flatMap(importsOf);
}

/** Which layers each layer may import (its own always). Anything not listed is a violation. */
const ALLOWED: Record<string, readonly string[]> = {
  redact: [],
  config: ['redact'],
  metrics: ['events', 'config', 'redact'],
  events: ['config', 'metrics', 'redact'],
  traces: ['config', 'events', 'metrics', 'redact'],
  export: ['config', 'metrics', 'events', 'traces', 'redact'],
};

/** Modules that do I/O or read ambient state: a pure module imports none of them. */
const IMPURE = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dns|dgram|child_process|worker_threads|cluster|os|process|readline|inspector|diagnostics_channel)$|^@opentelemetry\//;

function violations(imports: Import[]): string[] {
  const found: string[] = [];
  for (const imp of imports) {
    const where = `${imp.from}: ${imp.text}`;
    if (imp.targetLayer === 'outside') found.push(`${where} (leaves src/)`);
    if (imp.layer !== 'cli' && imp.targetLayer === 'cli') found.push(`${where} (the library imports the CLI)`);
    const allowed = ALLOWED[imp.layer];
    if (allowed && imp.targetLayer && imp.targetLayer !== imp.layer && !allowed.includes(imp.targetLayer)) {
      found.push(`${where} (${imp.layer} may import only ${[imp.layer, ...allowed].join(', ')})`);
    }
    if (imp.layer === 'redact' && !imp.specifier.startsWith('.') && IMPURE.test(imp.specifier)) found.push(`${where} (redact is pure)`);
  }
  return found;
}

describe('import graph of src/', () => {
  const imports = allImports();

  it('finds the imports (the scanner sees every kind of import)', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.layer === 'library' && i.targetLayer === 'export')).toBe(true);
    expect(imports.some((i) => i.layer === 'cli' && i.targetLayer === 'config')).toBe(true);
  });

  it('respects the boundaries of the design', () => {
    expect(violations(imports)).toEqual([]);
  });

  it('redact reads no ambient state (environment, clock, randomness)', () => {
    const ambient = sourceFiles(join(src, 'redact'))
      .flatMap((file) => code(readFileSync(file, 'utf8')).split('\n').map((line, i) => ({ file, line, i })))
      .filter(({ line }) => /\bprocess\.|\bDate\.now\(|\bMath\.random\(|\bnew Date\(\)/.test(line))
      .map(({ file, line, i }) => `${relative(root, file)}:${i + 1}: ${line.trim()}`);
    expect(ambient).toEqual([]);
  });

  it('flags what it must (the rules can fail)', () => {
    const fake = (layer: string, targetLayer: string, specifier = '../x.js'): Import =>
      ({ from: `src/${layer}/f.ts`, layer, specifier, targetLayer, target: 'src/x', text: `from '${specifier}'` });
    expect(violations([fake('events', 'export')])).toHaveLength(1);
    expect(violations([fake('traces', 'export')])).toHaveLength(1);
    expect(violations([fake('export', 'events')])).toHaveLength(0);
    expect(violations([fake('config', 'events')])).toHaveLength(1);
    expect(violations([fake('library', 'cli')])).toHaveLength(1);
    expect(violations([fake('export', 'cli')])).toHaveLength(2);
    expect(violations([{ ...fake('redact', 'redact'), specifier: 'node:fs', targetLayer: undefined }])).toHaveLength(1);
  });
});
