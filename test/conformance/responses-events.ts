/**
 * Builders for the Responses API stream events the mock sends (the subset Codex reads): a response
 * starts with `response.created`, carries output items, and ends with `response.completed` (with token
 * usage) or `response.failed`.
 */
export type ResponseEvent = { type: string } & Record<string, unknown>;

let counter = 0;
const nextId = (prefix: string) => `${prefix}_${(++counter).toString().padStart(4, '0')}`;

export interface Usage {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

export const DEFAULT_USAGE: Usage = { input: 1200, cached: 200, output: 40, reasoning: 8 };

export function created(id = nextId('resp')): ResponseEvent {
  return { type: 'response.created', response: { id } };
}

export function assistantMessage(text: string): ResponseEvent {
  return {
    type: 'response.output_item.done',
    item: { type: 'message', role: 'assistant', id: nextId('msg'), content: [{ type: 'output_text', text }] },
  };
}

/** A delta of assistant text: Codex measures time to first token from these. */
export function textDelta(delta: string): ResponseEvent {
  return { type: 'response.output_text.delta', delta };
}

export interface ExecCommandArgs {
  cmd: string;
  sandbox_permissions?: 'use_default' | 'require_escalated';
  justification?: string;
  prefix_rule?: string[];
  workdir?: string;
}

/** The model asks Codex to run a command with its `exec_command` tool. */
export function execCommandCall(callId: string, args: ExecCommandArgs): ResponseEvent {
  return {
    type: 'response.output_item.done',
    item: { type: 'function_call', id: nextId('fc'), call_id: callId, name: 'exec_command', arguments: JSON.stringify(args) },
  };
}

export function completed(usage: Usage = DEFAULT_USAGE, id = nextId('resp')): ResponseEvent {
  return {
    type: 'response.completed',
    response: {
      id,
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: usage.cached },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: usage.reasoning },
        total_tokens: usage.input + usage.output,
      },
    },
  };
}

export function failed(message: string, code = 'server_error', id = nextId('resp')): ResponseEvent {
  return { type: 'response.failed', response: { id, error: { code, message } } };
}

/** The announcement of an output item, before its deltas and its `output_item.done`. */
export function itemAdded(done: ResponseEvent): ResponseEvent {
  return { type: 'response.output_item.added', item: done['item'] };
}

/**
 * One whole model response: created, then each item announced and done (an assistant message gets
 * its text as one delta in between), then completed with token usage.
 */
export function turnEvents(...items: ResponseEvent[]): ResponseEvent[] {
  const events: ResponseEvent[] = [created()];
  for (const done of items) {
    const item = done['item'] as { type?: string; content?: Array<{ text?: string }> } | undefined;
    events.push(itemAdded(done));
    if (item?.type === 'message') events.push(textDelta(item.content?.[0]?.text ?? ''));
    events.push(done);
  }
  events.push(completed());
  return events;
}
