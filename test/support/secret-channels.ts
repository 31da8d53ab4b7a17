/**
 * The channels a secret can leave through, each with the exact function the emitter settles that field
 * with (`ContentPolicy.fieldScrub` of the real config), and the leak check used by every measurement.
 */
import { defaultConfig } from '../../src/config/defaults.js';
import { createContentPolicy } from '../../src/events/content.js';
import type { Encoding, GeneratedCorpus, PlantedSecret } from './generated-secret-corpus.js';

export type Channel = 'arguments_raw' | 'arguments_json' | 'output' | 'error' | 'prompt' | 'endpoint';
export const CHANNELS: readonly Channel[] = ['arguments_raw', 'arguments_json', 'output', 'error', 'prompt', 'endpoint'];

/** Which encodings go through which channel: arguments are raw text or JSON; free-text fields take all. */
export const CHANNEL_ENCODINGS: Record<Exclude<Channel, 'endpoint'>, readonly Encoding[]> = {
  arguments_raw: ['raw', 'shell'],
  arguments_json: ['json', 'cut', 'uescaped'],
  output: ['raw', 'shell', 'json', 'cut', 'uescaped'],
  error: ['raw', 'shell', 'json', 'cut', 'uescaped'],
  prompt: ['raw', 'shell', 'json', 'cut', 'uescaped'],
};

const FIELD_OF: Record<Channel, string> = {
  arguments_raw: 'arguments',
  arguments_json: 'arguments',
  output: 'output',
  error: 'error.message',
  prompt: 'prompt',
  endpoint: 'endpoint',
};

/** The settle-time scrub of each channel's field, as the emitter runs it (prompts logged). */
export function channelScrubbers(): Record<Channel, (text: string) => string> {
  const config = defaultConfig();
  config.logUserPrompt = true;
  const content = createContentPolicy(config);
  const entries = CHANNELS.map((channel) => {
    const scrub = content.fieldScrub(FIELD_OF[channel])!;
    return [channel, (text: string) => scrub(text, { redactions: 0 }) ?? ''] as const;
  });
  return Object.fromEntries(entries) as Record<Channel, (text: string) => string>;
}

/** The forms a needle can take in a text: as is, and JSON-escaped. */
function forms(needle: string): string[] {
  const escaped = JSON.stringify(needle).slice(1, -1);
  return escaped === needle ? [needle] : [needle, escaped];
}

/**
 * Every `\uXXXX` escape (behind any number of backslashes) spelled as its character, pairs joined: what
 * a reader of the output recovers from escapes a scrubber kept. Written apart from the scrubber's decoder.
 */
export function unescapeUnicode(text: string): string {
  return text.replace(/\\+u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * True when any needle, or a half of one (at least 8 characters: a partial redaction that keeps the
 * tail of a value is a leak too), survives in `output`, as it stands or once its `\uXXXX` escapes are read.
 */
export function leaks(needles: readonly string[], output: string): boolean {
  const outputs = output.includes('\\u') ? [output, unescapeUnicode(output)] : [output];
  for (const needle of needles) {
    const parts = [needle];
    if (needle.length >= 16) parts.push(needle.slice(0, Math.floor(needle.length / 2)), needle.slice(Math.ceil(needle.length / 2)));
    for (const part of parts) for (const form of forms(part)) for (const out of outputs) if (out.includes(form)) return true;
  }
  return false;
}

export interface ChannelResult {
  channel: Channel;
  /** Planted texts sent through the channel, and how many leaked. */
  planted: number;
  missed: number;
  /** Benign texts sent through the channel, and how many came out changed. */
  benign: number;
  falsePositives: number;
  missedKinds: string[];
  falsePositiveKinds: string[];
}

/** Runs every document of the corpus through every channel. */
export function measureChannels(corpus: GeneratedCorpus, scrubbers = channelScrubbers()): ChannelResult[] {
  return CHANNELS.map((channel) => {
    const result: ChannelResult = { channel, planted: 0, missed: 0, benign: 0, falsePositives: 0, missedKinds: [], falsePositiveKinds: [] };
    const scrub = scrubbers[channel];
    if (channel === 'endpoint') {
      for (const doc of corpus.endpoints) {
        const out = scrub(doc.url);
        if (doc.needles.length === 0) {
          result.benign++;
          if (out !== doc.url) {
            result.falsePositives++;
            result.falsePositiveKinds.push(`${doc.kind}: ${doc.url} -> ${out}`);
          }
        } else {
          result.planted++;
          if (leaks(doc.needles, out)) {
            result.missed++;
            result.missedKinds.push(`${doc.kind}: ${out}`);
          }
        }
      }
      return result;
    }
    for (const secret of corpus.planted) {
      for (const encoding of CHANNEL_ENCODINGS[channel]) {
        result.planted++;
        const out = scrub(secret.texts[encoding]);
        if (leaks(secret.needles, out)) {
          result.missed++;
          result.missedKinds.push(`${secret.kind}#${secret.context}/${encoding}: ${out.slice(0, 300)}`);
        }
      }
    }
    for (const doc of corpus.benign) {
      // Arguments as JSON: the benign text as Codex would send it.
      const texts = [channel === 'arguments_json' ? JSON.stringify({ command: ['bash', '-lc', doc.text] }) : doc.text];
      if (CHANNEL_ENCODINGS[channel].includes('uescaped')) texts.push(doc.uescaped);
      for (const text of texts) {
        result.benign++;
        const out = scrub(text);
        const expected = channel === 'output' ? previewOf(text, out) : text;
        if (out !== expected) {
          result.falsePositives++;
          result.falsePositiveKinds.push(`${doc.kind}${text === doc.uescaped ? '/uescaped' : ''}: ${out.slice(0, 300)}`);
        }
      }
    }
    return result;
  });
}

/** Output is also cut to the preview: compare against the input when it fits. */
function previewOf(text: string, out: string): string {
  return Buffer.byteLength(text) <= 2048 ? text : out;
}

export function plantedKinds(corpus: GeneratedCorpus): string[] {
  return [...new Set(corpus.planted.map((s: PlantedSecret) => s.kind))];
}
