/**
 * The deliberate differences (deliberate-differences.json, the one list) and the comparison rules
 * they carry, for the conformance comparison.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DifferenceRow {
  id: string;
  topic: string;
  codex: string;
  ours: string;
  why: string;
  comparison?: {
    ignoreLogFields?: string[];
    valuesCompared?: boolean;
    ownKeyPrefix?: string;
    ignoreRecordsWithoutEventName?: boolean;
    onlyMetricsInCatalog?: boolean;
  };
}

export const DIFFERENCES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'deliberate-differences.json');

export function readDifferences(): DifferenceRow[] {
  return (JSON.parse(readFileSync(DIFFERENCES_FILE, 'utf8')) as { rows: DifferenceRow[] }).rows;
}

export interface ComparisonRules {
  /** OTLP log record fields that differ on purpose and are not compared. */
  ignoredLogFields: ReadonlySet<string>;
  /** Attribute key prefixes of our own, stripped from our records before comparing keys. */
  ownKeyPrefixes: readonly string[];
  ignoreRecordsWithoutEventName: boolean;
  onlyMetricsInCatalog: boolean;
}

export function comparisonRules(rows: readonly DifferenceRow[] = readDifferences()): ComparisonRules {
  const rules = { ignoredLogFields: new Set<string>(), ownKeyPrefixes: [] as string[], ignoreRecordsWithoutEventName: false, onlyMetricsInCatalog: false };
  for (const { comparison } of rows) {
    for (const field of comparison?.ignoreLogFields ?? []) rules.ignoredLogFields.add(field);
    if (comparison?.ownKeyPrefix) rules.ownKeyPrefixes.push(comparison.ownKeyPrefix);
    if (comparison?.ignoreRecordsWithoutEventName) rules.ignoreRecordsWithoutEventName = true;
    if (comparison?.onlyMetricsInCatalog) rules.onlyMetricsInCatalog = true;
  }
  return rules;
}
