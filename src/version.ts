import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function findVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'codex-otel' && pkg.version) return pkg.version;
    } catch {
      // not at this depth: source (src/) and build (dist/src/) sit at different depths
    }
  }
  return '0.0.0';
}

/** This package's version, read once from package.json. */
export const PACKAGE_VERSION = findVersion();
