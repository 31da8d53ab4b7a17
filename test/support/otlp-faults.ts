/**
 * Fault injection for the test receiver: what to do with one incoming export request.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Signal } from './otlp-protos.js';

export type Transport = 'http' | 'grpc';

/** What the behaviour hook knows about a request when it decides. */
export interface RequestInfo {
  transport: Transport;
  /** undefined for an HTTP path that is not /v1/{logs,metrics,traces} */
  signal: Signal | undefined;
  path: string;
  headers: Record<string, string | string[]>;
  /** 1 for the first request of this transport and signal since start/reset, 2 for the next, ... */
  attempt: number;
}

export interface FaultBehaviour {
  /**
   * HTTP status to answer instead of 200 (e.g. 400, 401, 403, 404, 429, 502, 503, 504).
   * On gRPC it is mapped to the equivalent status code unless `grpcStatus` is given.
   */
  status?: number;
  /** gRPC status code to answer (see `status` of @grpc/grpc-js), e.g. UNAVAILABLE = 14. */
  grpcStatus?: number;
  /** HTTP only: Retry-After header, seconds (or an HTTP date string). */
  retryAfter?: number | string;
  /** Wait this long before answering (answer as usual or with `status` afterwards). */
  delayMs?: number;
  /** Read the request and never answer; the connection stays open until close(). */
  blackHole?: true;
  /** Destroy the connection after reading the request, without any answer. */
  reset?: true;
  /** Message for the error answer. */
  message?: string;
}

export type BehaviourHook = (request: RequestInfo) => FaultBehaviour | undefined;

/** The conventional HTTP → gRPC mapping (the inverse of the OTLP/HTTP spec's table). */
export function grpcStatusForHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 408:
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
      return GrpcStatus.UNAVAILABLE;
    default:
      return httpStatus >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN;
  }
}

export function isFaultAnswer(fault: FaultBehaviour | undefined): boolean {
  return fault !== undefined && (fault.status !== undefined || fault.grpcStatus !== undefined);
}
