/**
 * "Nothing answers": the most common first-run problem is a collector that is not running. A TCP connect
 * to the endpoint's host and port tells it in milliseconds, before any export waits for its timeout.
 */
import { connect } from 'node:net';

export const START_COLLECTOR = 'is the collector running? try `npm run stack:up` or `docker compose up`';

export interface Reachability {
  /** host:port that was tried. */
  address: string;
  reachable: boolean;
  /** The connect error code when not reachable (ECONNREFUSED, ETIMEDOUT, ENOTFOUND…). */
  error?: string;
}

/** Tries a TCP connection to the endpoint's host and port; never throws, gives up after `timeoutMs`. */
export function probeEndpoint(endpoint: string, timeoutMs = 1500): Promise<Reachability> {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  } catch {
    return Promise.resolve({ address: endpoint, reachable: false, error: 'invalid URL' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  const address = `${url.hostname}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: Reachability) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ address, reachable: false, error: 'ETIMEDOUT' }), timeoutMs);
    timer.unref();
    socket.once('connect', () => finish({ address, reachable: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ address, reachable: false, error: error.code ?? error.message }));
  });
}

/** The one-line hint printed when nothing answers at `address`. */
export function collectorHint(reachability: Reachability): string {
  return `nothing answers at ${reachability.address} (${reachability.error ?? 'unreachable'}): ${START_COLLECTOR}`;
}
