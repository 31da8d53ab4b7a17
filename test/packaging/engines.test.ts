/**
 * Node 20 is supported: no package in the lockfile declares an `engines.node` range that excludes the
 * Node 20 line (npm ci warns EBADENGINE for those), and every runtime dependency admits the package's
 * own minimum (`engines.node` of package.json).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

type Version = [number, number, number];

function version(text: string): Version {
  const [major, minor, patch] = text.replace(/^v/, '').split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  return [major ?? 0, minor ?? 0, patch ?? 0];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The npm range forms found in lockfiles: `>=`, `>`, `<=`, `<`, `^`, `~`, `X.*` / `X.x`, exact, and `||`. */
function satisfies(probe: string, range: string): boolean {
  const v = version(probe);
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().replace(/([<>=^~]+)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return comparators.every((comparator) => {
      const [, op = '', rest = ''] = /^([<>=^~]*)(.*)$/.exec(comparator)!;
      const parts = rest.split('.');
      const wild = parts.findIndex((p) => p === '*' || p === 'x' || p === 'X' || p === undefined);
      const base = version(rest);
      if (op === '>=') return compare(v, base) >= 0;
      if (op === '>') return compare(v, base) > 0;
      if (op === '<=') return compare(v, base) <= 0;
      if (op === '<') return compare(v, base) < 0;
      if (op === '^') {
        const upper: Version = base[0] > 0 ? [base[0] + 1, 0, 0] : [0, base[1] + 1, 0];
        return compare(v, base) >= 0 && compare(v, upper) < 0;
      }
      if (op === '~') return compare(v, base) >= 0 && compare(v, [base[0], base[1] + 1, 0]) < 0;
      if (wild === 1 || parts.length === 1) return v[0] === base[0];
      if (wild === 2 || parts.length === 2) return v[0] === base[0] && v[1] === base[1];
      return compare(v, base) === 0;
    });
  });
}

interface LockPackage { engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
const ownMinimum = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node.replace(/^>=\s*/, '');
const NODE_20 = ['20.0.0', '20.6.0', '20.12.0', '20.19.0', '20.20.2'];

describe('engines', () => {
  it('the range checker agrees with npm on the forms the lockfile uses', () => {
    expect(satisfies('20.6.0', '>=20.6.0')).toBe(true);
    expect(satisfies('20.6.0', '>=24')).toBe(false);
    expect(satisfies('20.6.0', '^18.19.0 || >=20.6.0')).toBe(true);
    expect(satisfies('20.6.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.6.0', '6.* || 8.* || >= 10.*')).toBe(true);
    expect(satisfies('20.6.0', '>= 14.6')).toBe(true);
    expect(satisfies('20.6.0', '~20.5')).toBe(false);
  });

  it('no locked package excludes the whole Node 20 line', () => {
    const excluding = Object.entries(lock.packages)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !NODE_20.some((probe) => satisfies(probe, (p.engines as { node: string }).node)))
      .map(([name, p]) => `${name}: ${(p.engines as { node: string }).node}`);
    expect(excluding).toEqual([]);
  });

  it(`every runtime dependency admits the package's own minimum, Node ${ownMinimum}`, () => {
    const excluding = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && !p.dev && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !satisfies(ownMinimum, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name}: ${(p.engines as { node: string }).node}`);
    expect(excluding).toEqual([]);
  });
});
