/**
 * A scripted mock of the OpenAI Responses API on 127.0.0.1, for driving the real Codex CLI (and our
 * reference agent) through a scenario: each model request takes the next step of the script.
 *
 * - `POST /v1/responses` answers with SSE, an HTTP error, or an SSE stream cut mid-way.
 * - A websocket upgrade on `/v1/responses` (Codex's websocket transport) answers each
 *   `response.create` message with the same step's events as text frames.
 * - `POST /v1/analytics/codex/turn-costs` (and any other analytics call) is answered with `{}`.
 *
 * A request past the end of the script gets a plain assistant message, so a client that asks once
 * more than the scenario expected still finishes its turn; `requests` shows what was asked.
 * Side requests (no `exec_command` tool offered, e.g. the TUI's thread title) take no step.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { assistantMessage, completed, created, turnEvents, type ResponseEvent, type Usage } from './responses-events.js';

const NO_USAGE: Usage = { input: 0, cached: 0, output: 0, reasoning: 0 };

export type MockStep =
  /** A complete SSE (or websocket) response made of these events. */
  | { kind: 'events'; events: ResponseEvent[] }
  /** An HTTP error before any event (Retry-After, when given, in seconds). */
  | { kind: 'status'; status: number; body: string; retryAfterSeconds?: number }
  /** The first `events`, then the connection is destroyed without `response.completed`. */
  | { kind: 'cut'; events: ResponseEvent[] };

export interface MockRequest {
  transport: 'http' | 'websocket';
  method: string;
  path: string;
  /** The parsed JSON body (HTTP) or message (websocket); undefined when it was not JSON. */
  body: unknown;
  /** The script step answered, or -1 for requests outside the script (analytics, extra turns). */
  step: number;
}

export interface MockResponses {
  /** `http://127.0.0.1:<port>/v1`: the `base_url` of a Codex model provider. */
  readonly baseUrl: string;
  readonly requests: readonly MockRequest[];
  /** How many script steps have been answered. */
  stepsServed(): number;
  close(): Promise<void>;
}

export async function startMockResponses(script: readonly MockStep[]): Promise<MockResponses> {
  const requests: MockRequest[] = [];
  let next = 0;
  const takeStep = (): { index: number; step: MockStep } => {
    const index = next++;
    return { index, step: script[index] ?? { kind: 'events', events: [assistantMessage('done'), completed()] } };
  };
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      if (req.method === 'POST' && path === '/v1/responses') {
        if (isSideRequest(body)) {
          requests.push({ transport: 'http', method: 'POST', path, body, step: -1 });
          answerHttp(SIDE_ANSWER, res);
          return;
        }
        const { index, step } = takeStep();
        requests.push({ transport: 'http', method: 'POST', path, body, step: index });
        answerHttp(step, res);
        return;
      }
      requests.push({ transport: 'http', method: req.method ?? '', path, body, step: -1 });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== '/v1/responses') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const body = isBinary ? undefined : parseJson(data.toString('utf8'));
        if ((body as { type?: unknown } | undefined)?.type !== 'response.create') {
          requests.push({ transport: 'websocket', method: 'MESSAGE', path, body, step: -1 });
          return;
        }
        if ((body as { generate?: unknown }).generate === false) {
          // Codex's prewarm (`generate: false`) opens the response without asking for output: it
          // takes no step of the script.
          requests.push({ transport: 'websocket', method: 'MESSAGE', path, body, step: -1 });
          answerWebsocket({ kind: 'events', events: [created(), completed(NO_USAGE)] }, ws);
          return;
        }
        const { index, step } = takeStep();
        requests.push({ transport: 'websocket', method: 'MESSAGE', path, body, step: index });
        answerWebsocket(step, ws);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    stepsServed: () => Math.min(next, script.length),
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Requests that offer no `exec_command` tool are Codex's side requests (the TUI asks for a thread
 * title in a thread of its own): they get a short answer and take no step of the script.
 */
function isSideRequest(body: unknown): boolean {
  const tools = (body as { tools?: Array<{ name?: unknown }> } | undefined)?.tools;
  return !Array.isArray(tools) || !tools.some((tool) => tool?.name === 'exec_command');
}

const SIDE_ANSWER: MockStep = { kind: 'events', events: turnEvents(assistantMessage('Conformance run')) };

function answerHttp(step: MockStep, res: http.ServerResponse): void {
  if (step.kind === 'status') {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (step.retryAfterSeconds !== undefined) headers['retry-after'] = String(step.retryAfterSeconds);
    res.writeHead(step.status, headers).end(step.body);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const body = step.events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
  if (step.kind === 'cut') {
    // Once the events have been handed to the socket, drop the connection without ending the stream.
    res.write(body, () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

/** Websocket steps: the events as text frames (HTTP status steps are not used over the websocket). */
function answerWebsocket(step: MockStep, ws: WebSocket): void {
  if (step.kind === 'status') {
    ws.close(1011, 'the script has an HTTP status step here');
    return;
  }
  step.events.forEach((event, index) => {
    const last = index === step.events.length - 1;
    ws.send(JSON.stringify(event), last && step.kind === 'cut' ? () => ws.terminate() : undefined);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
