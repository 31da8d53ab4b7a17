import type { FieldScrub } from '../redact/deferred.js';
import { PROMPT_REDACTED } from '../redact/prompt.js';
import type { AuthEnvInfo } from './inputs.js';

/** Content handling for one telemetry instance (contract §4): scrubbing, previews, prompt redaction. */
export interface ContentPolicy {
  /** The text with secrets replaced by `[REDACTED:<kind>]`, now; adds what it replaced to `counter`. */
  scrub(text: string, counter: RedactionCounter): string;
  /** Tool output: scrubbed first, then cut to the preview (so a secret cut in half cannot leak). */
  preview(text: string, counter: RedactionCounter): string;
  /** `[REDACTED]` unless prompts are logged; then the scrubbed text. */
  prompt(text: string, counter: RedactionCounter): string;
  /** Unicode code points of the prompt. */
  promptLength(text: string): number;
  /** `log_user_prompt`: whether prompt text is sent at all. */
  readonly logUserPrompt: boolean;
  /**
   * How the string attribute `key` is scrubbed when its record is settled on the export path (see
   * `src/redact/deferred.ts`, `FIELD_POLICY`); undefined when the key is a closed vocabulary.
   */
  fieldScrub(key: string): FieldScrub | undefined;
}

export interface RedactionCounter {
  redactions: number;
}

/** `tool_result_seq`: numbered from 1 across every session of one telemetry instance. */
export interface ToolResultSequence {
  next: number;
}

export type ResolvedAuthEnv = Required<Pick<AuthEnvInfo,
  'openaiApiKeyPresent' | 'codexApiKeyPresent' | 'codexApiKeyEnabled' | 'refreshTokenUrlOverridePresent'>>
  & Pick<AuthEnvInfo, 'providerKeyName' | 'providerKeyPresent'>;

/**
 * What attribute builders of the catalog may read besides the caller's input. One per session,
 * reused for every emit: `redactions` is reset before each event.
 */
export class EmitContext implements RedactionCounter {
  redactions = 0;

  constructor(
    readonly authEnv: ResolvedAuthEnv,
    private readonly content: ContentPolicy,
    private readonly sequence: ToolResultSequence = { next: 1 },
  ) {}

  /** Called before each event's attributes are built. */
  beginEmit(): void {
    this.redactions = 0;
  }

  nextToolResultSeq(): number {
    return this.sequence.next++;
  }

  /**
   * Marks free text. The emitter scrubs every string attribute (by its key's entry in `FIELD_POLICY`) on
   * the export path, off the caller's: this returns the raw text for it.
   */
  scrub(value: unknown): string | undefined {
    return typeof value === 'string' ? value : undefined;
  }

  /** Tool output: the raw text; the `output` key's field policy scrubs, then cuts it to the preview. */
  preview(value: unknown): string | undefined {
    return typeof value === 'string' ? value : undefined;
  }

  /** `[REDACTED]` unless prompts are logged; then the raw text, which the emitter has scrubbed. */
  prompt(value: unknown): string {
    if (!this.content.logUserPrompt) return PROMPT_REDACTED;
    return typeof value === 'string' ? value : '';
  }

  promptLength(value: unknown): number {
    return typeof value === 'string' ? this.content.promptLength(value) : 0;
  }
}

/** The auth-env group from the caller's values, the environment filling what they left out. */
export function resolveAuthEnv(info: AuthEnvInfo | undefined, env: NodeJS.ProcessEnv): ResolvedAuthEnv {
  const present = (name: string) => typeof env[name] === 'string' && env[name] !== '';
  const resolved: ResolvedAuthEnv = {
    openaiApiKeyPresent: info?.openaiApiKeyPresent ?? present('OPENAI_API_KEY'),
    codexApiKeyPresent: info?.codexApiKeyPresent ?? present('CODEX_API_KEY'),
    codexApiKeyEnabled: info?.codexApiKeyEnabled ?? false,
    refreshTokenUrlOverridePresent: info?.refreshTokenUrlOverridePresent ?? present('CODEX_REFRESH_TOKEN_URL_OVERRIDE'),
  };
  if (info?.providerKeyName !== undefined) {
    resolved.providerKeyName = info.providerKeyName;
    resolved.providerKeyPresent = info.providerKeyPresent ?? present(info.providerKeyName);
  } else if (info?.providerKeyPresent !== undefined) {
    resolved.providerKeyPresent = info.providerKeyPresent;
  }
  return resolved;
}
