import type { AuthEnvInfo } from './inputs.js';

/** Content handling for one telemetry instance (contract §4): scrubbing, previews, prompt redaction. */
export interface ContentPolicy {
  /** The text with secrets replaced by `[REDACTED:<kind>]`; adds what it replaced to `counter`. */
  scrub(text: string, counter: RedactionCounter): string;
  /** Tool output: scrubbed first, then cut to the preview (so a secret cut in half cannot leak). */
  preview(text: string, counter: RedactionCounter): OutputPreview;
  /** `[REDACTED]` unless prompts are logged; then the scrubbed text. */
  prompt(text: string, counter: RedactionCounter): string;
  /** Unicode code points of the prompt. */
  promptLength(text: string): number;
}

export interface RedactionCounter {
  redactions: number;
}

export interface OutputPreview {
  text: string;
  /** Whether the text was cut (`output_truncated`). */
  truncated: boolean;
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
  /** The preview of the event being emitted: two attributes (`output_truncated`, `output`) read it. */
  private preview: OutputPreview | undefined;

  constructor(
    readonly authEnv: ResolvedAuthEnv,
    private readonly content: ContentPolicy,
    private readonly sequence: ToolResultSequence = { next: 1 },
  ) {}

  /** Called before each event's attributes are built. */
  beginEmit(): void {
    this.redactions = 0;
    this.preview = undefined;
  }

  scrub(value: unknown): string | undefined {
    return typeof value === 'string' ? this.content.scrub(value, this) : undefined;
  }

  /** The tool output's preview, computed (and its redactions counted) once per event. */
  toolOutput(value: unknown): Partial<OutputPreview> {
    if (typeof value !== 'string') return {};
    this.preview ??= this.content.preview(value, this);
    return this.preview;
  }

  nextToolResultSeq(): number {
    return this.sequence.next++;
  }

  prompt(value: unknown): string {
    return this.content.prompt(typeof value === 'string' ? value : '', this);
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
