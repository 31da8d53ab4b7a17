import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCollectorSecretsYaml } from '../../../src/redact/index.js';

describe('collector/secrets.yaml', () => {
  it('is generated from src/redact/patterns.ts (regenerate: npm run build && node scripts/gen-collector-secrets.mjs)', () => {
    const committed = readFileSync(new URL('../../../collector/secrets.yaml', import.meta.url), 'utf8');
    expect(committed).toBe(renderCollectorSecretsYaml());
  });
});
