import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { createInsecureCredentials, createSslCredentials } from '@opentelemetry/otlp-grpc-exporter-base';
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
  if (endpoint.startsWith('http://')) return createInsecureCredentials();
  const material = readTlsMaterial(tls);
  return createSslCredentials(material.ca, material.key, material.cert);
}
