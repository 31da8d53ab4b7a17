/**
 * HTTP agents whose sockets do not keep the process alive. An export in flight to a black-holed
 * collector would otherwise hold a host that has finished its work for the exporter's whole timeout
 * (and `beforeExit`, which the exit helper uses, would not fire until then). With unref'd sockets the
 * loop ends, `beforeExit` fires, and the exit helper's shutdown (whose bound timer is ref'd) either
 * finishes the export or spools the batch within the bound.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

type AgentOptions = http.AgentOptions & https.AgentOptions;

export function unrefAgentFactory(options: AgentOptions): (protocol: string) => http.Agent {
  const agents: { http?: http.Agent; https?: https.Agent } = {};
  return (protocol: string) => {
    if (protocol === 'http:') return (agents.http ??= unref(new http.Agent(options)));
    return (agents.https ??= unref(new https.Agent(options)));
  };
}

function unref<A extends http.Agent>(agent: A): A {
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Duplex }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (...args: unknown[]) => Duplex }).createConnection = (...args: unknown[]) => {
    const socket = create(...args) as Duplex & { unref?: () => void };
    socket.unref?.();
    return socket;
  };
  return agent;
}
