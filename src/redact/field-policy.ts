/**
 * Which string fields are scrubbed, and how, as data. Every string attribute that leaves the process is
 * scrubbed: a key not listed here gets the free-text rules. Only values the wire type proves to be a
 * closed vocabulary are left alone: `int`, `bool`, and the numbers and booleans Codex sends as strings
 * (`strnum`, `strbool`, digits or `true`/`false` by construction).
 */
import { REDACTION_MARKER_PREFIX, redactionMarker } from './patterns.js';
import type { RedactionCounter, Scrubber } from './scrubber.js';
import { scrubStructured } from './structured.js';

/**
 * - `text`: the free-text rules;
 * - `json`: parsed when it is a JSON object or array (tool arguments), free text otherwise;
 * - `url`: an endpoint or origin: credentials in the user part go whole, then the free-text rules
 *   (which also know key-like query parameters: `?key=`, `sig=`, `token=`);
 * - `preview`: tool output, scrubbed then cut to the preview;
 * - `closed`: not scrubbed (none today: kept for values this package builds from constants).
 */
export type FieldHandling = 'text' | 'json' | 'url' | 'preview' | 'closed';

export const FIELD_POLICY: Readonly<Record<string, FieldHandling>> = {
  arguments: 'json',
  output: 'preview',
  endpoint: 'url',
  mcp_server_origin: 'url',
  // Span attributes (OpenTelemetry semantic conventions) that carry URLs.
  'url.full': 'url',
  'http.url': 'url',
  'server.address': 'url',
};

export function fieldHandling(key: string): FieldHandling {
  return FIELD_POLICY[key] ?? 'text';
}

const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)([^/?#@\s]+)@/;

/**
 * An endpoint or origin URL: a user part (`user:pass@`, `token@`) is replaced whole, since in an endpoint
 * it can only be a credential; then the free-text rules run on the rest (query parameters).
 */
export function scrubUrl(text: string, scrubber: Scrubber, counter?: RedactionCounter): string {
  if (!scrubber.enabled) return text;
  let out = text;
  const userinfo = USERINFO.exec(text);
  if (userinfo && !userinfo[2]!.startsWith(REDACTION_MARKER_PREFIX)) {
    out = `${userinfo[1]}${redactionMarker('url_credential')}@${text.slice(userinfo[0].length)}`;
    if (counter) counter.redactions++;
  }
  return scrubber.scrub(out, counter);
}

/** One field's value through its handling (a `preview` here is scrubbed only; cutting is the caller's). */
export function scrubField(handling: FieldHandling, text: string, scrubber: Scrubber, counter?: RedactionCounter): string {
  switch (handling) {
    case 'closed':
      return text;
    case 'json':
      return scrubStructured(text, scrubber, counter);
    case 'url':
      return scrubUrl(text, scrubber, counter);
    case 'text':
    case 'preview':
      return scrubber.scrub(text, counter);
  }
}
