/**
 * Cost of spans per event, in one run: codex-otel with spans on and with `trace_exporter = "none"`, against
 * the bare OpenTelemetry JS SDK emitting the same log records with and without the same spans. Every trial
 * runs in a fresh process; logs and spans go to discarding exporters (the cost of the pipeline, no wire).
 *
 *   npm run bench:spans [-- --quick] [-- --no-readme]
 *
 * Writes its section of bench/README.md between the `spans:begin`/`spans:end` markers (run.ts keeps it).
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createTelemetry, parseConfigText } from '../src/index.js';
import {
  API_INPUT, APP_VERSION, ORIGINATOR, SESSION, SSE_INPUT, TOOL_INPUT, baselineApi, baselineSse, baselineTool, type EventKind,
} from './lib/fixtures.js';
import { DiscardLogExporter } from './lib/impl.js';
import { replaceSpansSection } from './lib/readme-section.js';
import { fmt, median, spread, type Spread } from './lib/stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';

type Variant = 'ours-none' | 'ours-spans' | 'sdk-logs' | 'sdk-spans';
const VARIANTS: Record<Variant, string> = {
  'ours-none': 'ours, `trace_exporter = "none"` (no tracer, no span objects)',
  'ours-spans': 'ours, spans on (discarding span exporter)',
  'sdk-logs': 'SDK baseline: logs only',
  'sdk-spans': 'SDK baseline: logs + the same spans (BasicTracerProvider + BatchSpanProcessor defaults)',
};
const KINDS: Record<EventKind, string> = {
  sse: '`codex.sse_event` (chunk; no span in Codex nor ours)',
  tool: '`codex.tool_result` (4 KiB output) with its `exec_command` span',
  api: '`codex.api_request` with its `responses.stream_request` span',
};

interface Trial { nsPerEvent: number; cpuUsPerEvent: number }

class DiscardSpanExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void { done({ code: ExportResultCode.SUCCESS }); }
  shutdown(): Promise<void> { return Promise.resolve(); }
  forceFlush(): Promise<void> { return Promise.resolve(); }
}

/** One operation of `kind` for a variant: the event, and (with spans) the span it belongs to. */
function contender(variant: Variant, kind: EventKind): { op: () => void; flush: () => Promise<unknown> } {
  if (variant === 'ours-none' || variant === 'ours-spans') {
    const config = parseConfigText('[otel]\nenvironment = "bench"\n', { env: {} }).config!;
    const telemetry = createTelemetry(config, {
      originator: ORIGINATOR, appVersion: APP_VERSION, env: {}, diagnostics: false,
      logExporters: [new DiscardLogExporter()],
      ...(variant === 'ours-spans' ? { spanExporters: [new DiscardSpanExporter()] } : {}),
    });
    const session = telemetry.startSession(SESSION);
    session.startTurn({ turnId: 'bench-turn' });
    session.startModelRequest();
    const ops: Record<EventKind, () => void> = {
      sse: () => session.sseEvent(SSE_INPUT),
      tool: () => session.toolResult(TOOL_INPUT),
      api: () => session.apiRequest(API_INPUT),
    };
    return { op: ops[kind], flush: () => telemetry.forceFlush() };
  }
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': ORIGINATOR, 'service.version': APP_VERSION, env: 'bench' }));
  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new DiscardLogExporter() })] });
  const logger = loggerProvider.getLogger('codex_otel.log_only');
  const emit = (attributes: Record<string, string | number | boolean>, now: number, context: Context | undefined) => logger.emit({
    eventName: attributes['event.name'] as string, severityNumber: SeverityNumber.INFO, severityText: 'INFO',
    timestamp: now, observedTimestamp: now, attributes, ...(context ? { context } : {}),
  });
  if (variant === 'sdk-logs') {
    const ops: Record<EventKind, () => void> = {
      sse: () => { const now = Date.now(); emit(baselineSse(SSE_INPUT, now), now, undefined); },
      tool: () => { const now = Date.now(); emit(baselineTool(TOOL_INPUT, now), now, undefined); },
      api: () => { const now = Date.now(); emit(baselineApi(API_INPUT, now), now, undefined); },
    };
    return { op: ops[kind], flush: () => loggerProvider.forceFlush() };
  }
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new DiscardSpanExporter())] });
  const tracer = tracerProvider.getTracer(ORIGINATOR);
  const turn = tracer.startSpan('session_task.turn', { kind: SpanKind.INTERNAL, attributes: { 'turn.id': 'bench-turn', 'thread.id': SESSION.conversationId, model: SESSION.model } });
  const turnContext = trace.setSpan(ROOT_CONTEXT, turn);
  const request = tracer.startSpan('model_client.stream_responses_api', { attributes: { 'api.path': '/responses', 'http.method': 'POST', transport: 'responses_http', model: SESSION.model, wire_api: 'responses' } }, turnContext);
  const requestContext = trace.setSpan(turnContext, request);
  const toolAttributes: Attributes = {
    tool_name: TOOL_INPUT.toolName, 'conversation.id': SESSION.conversationId, 'turn.id': 'bench-turn', turn_id: 'bench-turn', tool_source: 'direct', call_id: TOOL_INPUT.callId,
  };
  const ops: Record<EventKind, () => void> = {
    sse: () => { const now = Date.now(); emit(baselineSse(SSE_INPUT, now), now, ROOT_CONTEXT); },
    tool: () => {
      const now = Date.now();
      const span = tracer.startSpan(TOOL_INPUT.toolName, { attributes: toolAttributes, startTime: now - TOOL_INPUT.durationMs }, turnContext);
      emit(baselineTool(TOOL_INPUT, now), now, trace.setSpan(turnContext, span));
      span.setAttribute('codex.tool.phase', 'dispatch');
      span.setAttribute('aborted', false);
      span.end();
    },
    api: () => {
      const now = Date.now();
      const span = tracer.startSpan('responses.stream_request', { attributes: { 'api.path': '/responses', 'http.method': 'POST', transport: 'responses_http' }, startTime: now - API_INPUT.durationMs }, requestContext);
      emit(baselineApi(API_INPUT, now), now, trace.setSpan(requestContext, span));
      span.end();
    },
  };
  return { op: ops[kind], flush: () => Promise.all([loggerProvider.forceFlush(), tracerProvider.forceFlush()]) };
}

async function workerMain(variant: Variant, kind: EventKind, warmup: number, batches: number, batchSize: number): Promise<Trial> {
  const { op, flush } = contender(variant, kind);
  for (let i = 0; i < warmup; i++) {
    op();
    if (i % batchSize === 0) await flush();
  }
  await flush();
  const perBatch: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batchSize; i++) op();
    perBatch.push(Number(process.hrtime.bigint() - t0) / batchSize);
    // Let the batch processors export as they would between bursts (their work counts in CPU).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await flush();
  const cpu = process.cpuUsage(cpuStart);
  return { nsPerEvent: median(perBatch), cpuUsPerEvent: (cpu.user + cpu.system) / (batches * batchSize) };
}

function runTrial(variant: Variant, kind: EventKind, warmup: number, batches: number, batchSize: number): Promise<Trial> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker', JSON.stringify({ variant, kind, warmup, batches, batchSize })], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('@@result '));
      if (code !== 0 || !line) reject(new Error(`worker ${variant}/${kind} exited ${code}: ${output}`));
      else resolve(JSON.parse(line.slice(9)) as Trial);
    });
  });
}

async function machine(): Promise<string[]> {
  const os = await import('node:os');
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    const { execFileSync } = await import('node:child_process');
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch { /* not a git checkout */ }
  return [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} (${cpus[0]?.speed ?? '?'} MHz), ${cpus.length} cores`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js: ${process.version}`,
    `- Load average at the end (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${cpus.length} cores${os.loadavg()[1]! > cpus.length ? ' — **the machine was shared and loaded: spreads are wide, compare medians with care**' : ''}`,
    `- Date: ${new Date().toISOString()}`,
    `- Code: commit ${commit}`,
  ];
}

async function main(): Promise<void> {
  const runs = QUICK ? 1 : 5;
  const warmup = QUICK ? 3000 : 20_000;
  const batches = QUICK ? 5 : 40;
  const batchSize = 1000;
  const started = performance.now();
  const raw = new Map<string, { ns: number[]; cpu: number[] }>();
  const kinds = Object.keys(KINDS) as EventKind[];
  const variants = Object.keys(VARIANTS) as Variant[];
  for (let run = 0; run < runs; run++) {
    for (const kind of kinds) {
      const order = run % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const trial = await runTrial(variant, kind, warmup, batches, batchSize);
        const key = `${kind}/${variant}`;
        if (!raw.has(key)) raw.set(key, { ns: [], cpu: [] });
        raw.get(key)!.ns.push(trial.nsPerEvent);
        raw.get(key)!.cpu.push(trial.cpuUsPerEvent);
      }
    }
    process.stderr.write(`spans bench: run ${run + 1}/${runs} done\n`);
  }
  const ns = (kind: EventKind, variant: Variant): Spread => spread(raw.get(`${kind}/${variant}`)!.ns);
  const cpu = (kind: EventKind, variant: Variant): number => median(raw.get(`${kind}/${variant}`)!.cpu);
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push('<!-- spans:begin (written by `npm run bench:spans`, bench/spans.ts; kept by run.ts) -->', '');
  push('## Spans: cost per event with spans on and with `trace_exporter = "none"`', '');
  push(`Command: \`npm run bench:spans${QUICK ? ' -- --quick' : ''}\` — ${QUICK ? '**quick run: indicative only**' : 'full run'}; took ${Math.round((performance.now() - started) / 1000)} s.`, '');
  push(...(await machine()), '');
  push('One operation = one event through the public API, and with spans on the span it belongs to (ours: the session methods create and end it; the SDK baseline: `tracer.startSpan` with the same name and attributes, the record emitted with the span\'s context, `span.end()`). A turn and a model request span are open for the whole trial (their parents). Logs and spans go to discarding exporters through batch processors; metrics off. Synchronous ns per operation over batches of 1,000 (median batch per process), then median (min–max) over', `${runs} fresh process(es) per variant, variants alternated; CPU µs per operation includes the batch processors' work and GC.`, '');
  push('| event | variant | ns/event, median (min–max) | CPU µs/event |', '|---|---|---:|---:|');
  for (const kind of kinds) {
    for (const variant of variants) {
      const s = ns(kind, variant);
      push(`| ${KINDS[kind]} | ${VARIANTS[variant]} | ${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}) | ${fmt(cpu(kind, variant))} |`);
    }
  }
  push('', 'Ratios on medians, and on minima (the least disturbed process of each variant: the steadier figure on a shared machine).', '');
  push('| event | ours spans / SDK spans (median; min) | span cost, ours: spans − none (median; min) | span cost, SDK: logs+spans − logs (median; min) | ours `"none"` / SDK logs only (median; min) |', '|---|---:|---:|---:|---:|');
  for (const kind of kinds) {
    const m = (variant: Variant) => ns(kind, variant).median;
    const lo = (variant: Variant) => ns(kind, variant).min;
    push(`| ${KINDS[kind]} | **${fmt(m('ours-spans') / m('sdk-spans'))}×**; ${fmt(lo('ours-spans') / lo('sdk-spans'))}× | ${fmt(m('ours-spans') - m('ours-none'))} ns; ${fmt(lo('ours-spans') - lo('ours-none'))} ns | ${fmt(m('sdk-spans') - m('sdk-logs'))} ns; ${fmt(lo('sdk-spans') - lo('sdk-logs'))} ns | ${fmt(m('ours-none') / m('sdk-logs'))}×; ${fmt(lo('ours-none') / lo('sdk-logs'))}× |`);
  }
  push('', 'With `trace_exporter = "none"` the pipeline has no tracer and sessions hold no span state: the session methods take the same path as before spans existed (one `undefined` check, no lookup), so the "none" rows are the cost of the events alone. For `codex.tool_result` ours scrubs secrets from every string field and the 4 KiB output before the preview, on the export path: it shows in the CPU column (the baseline scrubs nothing), not in the caller\'s time. Our tool span also carries the session\'s common attributes (up to 9 more than the baseline\'s span). `codex.sse_event` never has a span (its records carry no ids, as Codex\'s), so its cost is the same with spans on.', '');
  push('<!-- spans:end -->');
  const section = lines.join('\n');
  if (argv.includes('--no-readme')) {
    process.stdout.write(`${section}\n`);
    return;
  }
  const readmePath = path.join(repoRoot, 'bench', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, replaceSpansSection(readme, section));
  process.stderr.write('wrote the spans section of bench/README.md\n');
}

const workerIndex = argv.indexOf('--worker');
if (workerIndex >= 0) {
  const { variant, kind, warmup, batches, batchSize } = JSON.parse(argv[workerIndex + 1]!) as { variant: Variant; kind: EventKind; warmup: number; batches: number; batchSize: number };
  workerMain(variant, kind, warmup, batches, batchSize).then(
    (result) => { process.stdout.write(`@@result ${JSON.stringify(result)}\n`); process.exit(0); },
    (error: unknown) => { process.stderr.write(`${(error as Error).stack}\n`); process.exit(1); },
  );
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((error: unknown) => {
    process.stderr.write(`spans bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
