/** The handles of the no-op path (`trace_exporter = "none"`): shared, frozen, no span is ever created. */
import type { ModelRequestSpan, ToolCallSpan, TurnSpan } from './types.js';

const EMPTY_HEADERS = (): Record<string, string> => ({});

export const NOOP_TURN: TurnSpan = Object.freeze({
  turnId: '',
  recording: false,
  traceHeaders: EMPTY_HEADERS,
  addUsage: () => {},
  end: () => {},
});

export const NOOP_MODEL_REQUEST: ModelRequestSpan = Object.freeze({
  recording: false,
  traceHeaders: EMPTY_HEADERS,
  end: () => {},
});

export const NOOP_TOOL_CALL: ToolCallSpan = Object.freeze({
  callId: '',
  recording: false,
  end: () => {},
});
