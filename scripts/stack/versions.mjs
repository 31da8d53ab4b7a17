// The versions of the stack's binaries: one place, read from the files that already pin them.
// The compose file pins the images; the native build uses the same versions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const COLLECTOR_BUILDER_MODULE = 'go.opentelemetry.io/collector/cmd/builder';
export const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

function imageTag(compose, service) {
  const image = compose.services?.[service]?.image;
  if (typeof image !== 'string' || !image.includes(':')) {
    throw new Error(`docker-compose.yml: services.${service}.image: expected "name:tag", found ${JSON.stringify(image)}`);
  }
  return image.slice(image.lastIndexOf(':') + 1);
}

/** Prometheus 3.x releases are tagged v0.3MM.P in Go (3.13.0 -> v0.313.0). */
export function prometheusGoVersion(release) {
  const m = /^v?3\.(\d+)\.(\d+)$/.exec(release);
  if (!m) throw new Error(`prometheus release: expected 3.<minor>.<patch>, found ${release}`);
  return `v0.3${m[1].padStart(2, '0')}.${m[2]}`;
}

export function stackVersions(root) {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  return {
    collector: imageTag(compose, 'otel-collector'),
    prometheus: imageTag(compose, 'prometheus').replace(/^v/, ''),
    loki: imageTag(compose, 'loki'),
    tempo: compose.services?.tempo ? imageTag(compose, 'tempo') : undefined,
  };
}
