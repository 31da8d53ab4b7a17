/**
 * The OTLP protobuf definitions used by every test receiver, loaded once from the `.proto` files that
 * `@elastic/mockotlpserver` ships (the project rule: no proto files copied into the repo, no
 * hand-written protobuf decoder).
 *
 * This module is the ONE place that knows about the proto files. The HTTP receiver decodes with the
 * types exported here and the gRPC receiver builds its service definitions from them too, so both
 * transports see exactly the same schema (including the `eventName` patch below).
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

export type Signal = 'logs' | 'metrics' | 'traces';

/** A decoded protobuf message as a plain object (see {@link PLAIN_OBJECT_OPTIONS}). */
export type PlainMessage = Record<string, unknown>;

const PROTO_FILES: Record<Signal, string> = {
  logs: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  metrics: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  traces: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
};

/** Fully qualified names of the OTLP collector services, their request and response types. */
export const OTLP_SERVICES: Record<Signal, { service: string; request: string; response: string }> = {
  logs: {
    service: 'opentelemetry.proto.collector.logs.v1.LogsService',
    request: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
    response: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  },
  metrics: {
    service: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
    request: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    response: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  },
  traces: {
    service: 'opentelemetry.proto.collector.trace.v1.TraceService',
    request: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    response: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  },
};

/**
 * `toObject` options chosen so that the decoded object keeps wire types inspectable:
 * int64/fixed64 as decimal strings (lossless), enums as numbers (as OTLP/JSON), bytes left as Buffers,
 * no invented defaults, and the virtual `value` oneof property naming which AnyValue member is set.
 */
export const PLAIN_OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
};

/** Folder that contains `opentelemetry/proto/...` inside the installed `@elastic/mockotlpserver`. */
export function otlpProtoIncludeDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('@elastic/mockotlpserver/package.json');
  return path.dirname(packageJson);
}

function loadRoot(): protobuf.Root {
  const includeDir = otlpProtoIncludeDir();
  const root = new protobuf.Root();
  // The protos import each other as "opentelemetry/proto/...", relative to the include folder, not to
  // the importing file; protobufjs' default resolver would look next to the importing file.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(includeDir, target));
  root.loadSync(Object.values(PROTO_FILES), { keepCase: false });
  addLogRecordEventName(root);
  root.resolveAll();
  return root;
}

/**
 * The `logs.proto` shipped by @elastic/mockotlpserver 0.10.0 predates OTLP 1.5, which added
 * `string event_name = 12;` to `LogRecord`. The SDK writes field 12; without this patch protobufjs
 * would silently skip it as an unknown field and every eventName assertion would see nothing.
 * Field names are camelCase because the root is loaded with `keepCase: false`.
 * If a newer copy of the protos already has field 12, nothing is added.
 */
function addLogRecordEventName(root: protobuf.Root): void {
  const logRecord = root.lookupType('opentelemetry.proto.logs.v1.LogRecord');
  const existing = logRecord.fieldsById[12];
  if (existing) {
    if (existing.name !== 'eventName' || existing.type !== 'string') {
      throw new Error(`LogRecord field 12 is ${existing.name}:${existing.type}, expected eventName:string`);
    }
    return;
  }
  logRecord.add(new protobuf.Field('eventName', 12, 'string'));
}

let cachedRoot: protobuf.Root | undefined;

/** The shared, patched protobufjs root (loaded on first use, nothing happens on import). */
export function otlpRoot(): protobuf.Root {
  cachedRoot ??= loadRoot();
  return cachedRoot;
}

export function requestType(signal: Signal): protobuf.Type {
  return otlpRoot().lookupType(OTLP_SERVICES[signal].request);
}

export function responseType(signal: Signal): protobuf.Type {
  return otlpRoot().lookupType(OTLP_SERVICES[signal].response);
}

/** Decodes an Export*ServiceRequest; throws on malformed protobuf. */
export function decodeExportRequest(signal: Signal, body: Uint8Array): PlainMessage {
  const type = requestType(signal);
  return type.toObject(type.decode(body), PLAIN_OBJECT_OPTIONS);
}

export function decodeLogsRequest(body: Uint8Array): PlainMessage {
  return decodeExportRequest('logs', body);
}

export function decodeMetricsRequest(body: Uint8Array): PlainMessage {
  return decodeExportRequest('metrics', body);
}

export function decodeTracesRequest(body: Uint8Array): PlainMessage {
  return decodeExportRequest('traces', body);
}

/** An empty Export*ServiceResponse (no partial_success), protobuf-encoded. */
export function encodeEmptyResponse(signal: Signal): Buffer {
  const type = responseType(signal);
  return Buffer.from(type.encode(type.create({})).finish());
}

/**
 * The gRPC service of one signal for @grpc/grpc-js, passing raw bytes through so the handler decodes them
 * with the patched definitions (and records a malformed payload instead of failing inside grpc-js).
 */
export function exportServiceDefinition(signal: Signal): ServiceDefinition {
  const { service, request, response } = OTLP_SERVICES[signal];
  const method = otlpRoot().lookupService(service).methods.Export;
  // Fail loudly if the shipped protos ever disagree with what this module assumes.
  if (!method || method.resolvedRequestType?.fullName !== `.${request}` || method.resolvedResponseType?.fullName !== `.${response}`) {
    throw new Error(`${service}.Export does not map ${request} -> ${response} in the loaded protos`);
  }
  const identity = (buffer: Buffer): Buffer => buffer;
  return {
    Export: {
      path: `/${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'export',
    },
  };
}
