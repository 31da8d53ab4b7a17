import { SECRET_PATTERNS, redactionMarker, type SecretPattern } from './patterns.js';

/**
 * Renders `collector/secrets.yaml`, the Collector's copy of the secret patterns, from the same data
 * the client-side scrubber uses. Run `npm run build && node scripts/gen-collector-secrets.mjs`;
 * a test fails when the committed file differs from this output.
 *
 * Three layers of quoting stand between a regex and the Collector, and each is applied here:
 * 1. RE2: the `i` flag becomes a leading `(?i)`;
 * 2. OTTL string literals unquote like Go (`\\` → `\`, `\"` → `"`), so backslashes and quotes are escaped;
 * 3. the Collector's config expands `${…}`; `$$` is a literal `$`, so every `$` is doubled.
 * The YAML itself uses single-quoted scalars, where only `'` needs escaping (as `''`).
 */

/** The regex as RE2 reads it: `\uXXXX` becomes `\x{XXXX}`, the `i` flag a leading `(?i)`. */
export function re2Source(pattern: Pick<SecretPattern, 'source' | 'flags'>): string {
  const source = pattern.source.replace(/\\(\\|u([0-9a-fA-F]{4}))/g, (escape, _e, hex?: string) => (hex ? `\\x{${hex.toLowerCase()}}` : escape));
  return pattern.flags === 'i' ? `(?i)${source}` : source;
}

/** The Go regexp replacement template equivalent to the scrubber's replacement. */
export function re2Replacement(pattern: Pick<SecretPattern, 'kind' | 'preserve'>): string {
  const marker = redactionMarker(pattern.kind);
  switch (pattern.preserve) {
    case 'nothing':
      return marker;
    case 'prefix':
      return `$1${marker}`;
    case 'prefix-and-suffix':
      return `$1${marker}$2`;
  }
}

/** An OTTL string literal. Only printable ASCII is expected in patterns; anything else is a bug here. */
export function ottlString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`OTTL string with non-printable or non-ASCII characters: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Protects `$` from the Collector's `${…}` expansion. */
export function escapeConfigDollars(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

export function bodyStatement(pattern: SecretPattern): string {
  return `replace_pattern(log.body, ${ottlString(re2Source(pattern))}, ${ottlString(re2Replacement(pattern))}) where IsString(log.body)`;
}

export function attributesStatement(pattern: SecretPattern): string {
  return `replace_all_patterns(log.attributes, "value", ${ottlString(re2Source(pattern))}, ${ottlString(re2Replacement(pattern))})`;
}

function yamlItem(indent: string, value: string): string {
  return `${indent}- '${escapeConfigDollars(value).replace(/'/g, "''")}'`;
}

export function renderCollectorSecretsYaml(patterns: readonly SecretPattern[] = SECRET_PATTERNS): string {
  const kinds = [...new Set(patterns.map((p) => p.kind))].join(', ');
  const lines = [
    '# GENERATED from src/redact/patterns.ts by scripts/gen-collector-secrets.mjs. Do not edit by hand:',
    '#   npm run build && node scripts/gen-collector-secrets.mjs',
    '# test/unit/redact/collector-secrets-generated.test.ts fails when this file is stale.',
    '#',
    "# The Collector's second line of defence against secrets in log records, for telemetry that arrives",
    '# unscrubbed (real Codex sends tool arguments raw). The same patterns, in the same order, as the',
    '# client-side scrubber of codex-otel.',
    `# Kinds: ${kinds}.`,
    '#',
    '# Use both processors in every logs pipeline, transform first:',
    '#   processors: [..., transform/secrets, redaction/secrets, ...]',
    '# - transform/secrets rewrites each match in string bodies and top-level string attributes to',
    '#   [REDACTED:<kind>], keeping the variable name, header or URL user in front of the secret.',
    '# - redaction/secrets then masks whatever is left anywhere else (resource and scope attributes, map',
    '#   bodies) with ****. It masks the whole match, name included, and cannot say which kind it was.',
    '#   The patterns never match an existing [REDACTED:<kind>] marker, so it only acts, and only adds',
    '#   its redaction.masked.count attribute, when something got past the transform: worth an alert.',
    '#',
    '# Escaping: `(?i)` is the case-insensitive flag; OTTL strings double backslashes; `$$` is a literal',
    '# `$` in Collector config, so `$$1` is the capture group $1.',
    'processors:',
    '  transform/secrets:',
    '    error_mode: ignore',
    '    log_statements:',
  ];
  for (const pattern of patterns) {
    lines.push(`      # ${pattern.kind}`);
    lines.push(yamlItem('      ', bodyStatement(pattern)));
    lines.push(yamlItem('      ', attributesStatement(pattern)));
  }
  lines.push('  redaction/secrets:', '    allow_all_keys: true', '    summary: info', '    blocked_values:');
  for (const pattern of patterns) {
    lines.push(`      # ${pattern.kind}`);
    lines.push(yamlItem('      ', re2Source(pattern)));
  }
  return `${lines.join('\n')}\n`;
}
