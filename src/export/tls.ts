import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import type { TlsFiles } from '../config/types.js';

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Reads the files once, at start-up; the config loader already checked they are readable. */
export function readTlsMaterial(tls: TlsFiles | undefined): TlsMaterial {
  const material: TlsMaterial = {};
  if (tls?.caCertificate) material.ca = readFileSync(tls.caCertificate);
  if (tls?.clientCertificate) material.cert = readFileSync(tls.clientCertificate);
  if (tls?.clientPrivateKey) material.key = readFileSync(tls.clientPrivateKey);
  return material;
}

/** Agent options for the OTLP/HTTP exporters: a custom CA and, for mutual TLS, the client pair. */
export function httpsAgentOptions(tls: TlsFiles | undefined): AgentOptions {
  const material = readTlsMaterial(tls);
  return { keepAlive: true, ...material };
}

/**
 * gRPC channel credentials. A URL with `http://` is plaintext; anything else is TLS (as gRPC clients do),
 * with the system roots unless a CA is configured. Built with the exporter package's own helpers so only
 * one copy of @grpc/grpc-js is loaded.
 */
export function grpcCredentials(endpoint: string, tls: TlsFiles | undefined): ChannelCredentials {
  // Loaded on demand: only a gRPC exporter needs it.
  const grpc = createRequire(import.meta.url)('@opentelemetry/otlp-grpc-exporter-base') as typeof import('@opentelemetry/otlp-grpc-exporter-base');
  if (endpoint.startsWith('http://')) return grpc.createInsecureCredentials();
  const material = readTlsMaterial(tls);
  return grpc.createSslCredentials(material.ca, material.key, material.cert);
}
