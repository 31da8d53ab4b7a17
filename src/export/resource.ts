import { hostname, release, type } from 'node:os';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';

export interface ResourceIdentity {
  /** `service.name`: the originator, `codex_cli_rs` by default. */
  originator: string;
  appVersion: string;
  environment: string;
}

/**
 * Resource of contract §2. `OTEL_RESOURCE_ATTRIBUTES` is merged in and ours win on a clash; `host.name`
 * only on logs, `os`/`os_version` only on metrics, traces with neither, as Codex does.
 */
export function buildResources(identity: ResourceIdentity): { logs: Resource; metrics: Resource; traces: Resource } {
  const base = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  const ours = {
    'service.name': identity.originator,
    'service.version': identity.appVersion,
    env: identity.environment,
  };
  return {
    logs: base.merge(resourceFromAttributes({ ...ours, 'host.name': hostname() })),
    metrics: base.merge(resourceFromAttributes({ ...ours, os: osName(), os_version: release() })),
    traces: base.merge(resourceFromAttributes(ours)),
  };
}

function osName(): string {
  switch (type()) {
    case 'Darwin': return 'Mac OS';
    case 'Windows_NT': return 'Windows';
    default: return type();
  }
}
