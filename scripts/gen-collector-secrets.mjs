#!/usr/bin/env node
// Regenerates collector/secrets.yaml from src/redact/patterns.ts (through the compiled dist/).
// Usage: npm run build && node scripts/gen-collector-secrets.mjs [--check]
//   --check  exit 1 if the committed file differs, write nothing.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const target = fileURLToPath(new URL('collector/secrets.yaml', root));
const compiled = new URL('dist/src/redact/collector-rules.js', root);

let render;
try {
  ({ renderCollectorSecretsYaml: render } = await import(compiled.href));
} catch (error) {
  console.error(`cannot load ${fileURLToPath(compiled)}: run \`npm run build\` first (${error.message})`);
  process.exit(2);
}

const text = render();
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    console.error(`${target} is stale: run \`npm run build && node scripts/gen-collector-secrets.mjs\``);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
