/**
 * Structure-aware scrubbing of JSON text (tool arguments: Codex sends `{"cmd":"…"}`).
 *
 * Inside JSON every quote of a value is escaped (`\"`), so rules written for free text see the text
 * only in its decoded form. A JSON-looking text is therefore parsed; each string (key or value, at any
 * depth) is decoded and scrubbed as free text; a value whose key names a secret (`{"password": "x"}`,
 * also `{"name": "API_TOKEN", "value": "x"}`) is replaced whole; an argv array (`["sshpass","-p","x"]`)
 * gets the command-line rules, which need the neighbouring elements. Only the strings that changed are
 * re-encoded: everything else, whitespace and escapes included, stays byte for byte as it came.
 * Text that is not valid JSON (a cut preview) gets the free-text rules, which also know escaped quotes
 * and read `\uXXXX` escapes decoded (unicode-escapes.ts).
 */
import { isBenignName, isCodeOrReference } from './keep.js';
import { REDACTION_MARKER_PREFIX, SECRET_NAME_REGEX, redactionMarker } from './patterns.js';
import type { RedactionCounter, Scrubber } from './scrubber.js';

/** A value that is one marker, blanks around it allowed (a key's trailing newline). */
const MARKER_ONLY = /^[\t\n\r ]*\[REDACTED:[A-Za-z0-9_.-]+\][\t\n\r ]*$/;

/** Keys whose name some free-text rule reads as context. */
const CONTEXT_KEY = /auth|key|secret|token|pass|pwd|credential|sig/i;

/** Deeper documents are scrubbed as text: the parser recurses, and no tool call nests this deep. */
const MAX_DEPTH = 64;

type Node =
  | { readonly type: 'string'; readonly start: number; readonly end: number }
  | { readonly type: 'number'; readonly start: number; readonly end: number }
  | { readonly type: 'literal' }
  | { readonly type: 'array'; readonly items: Node[] }
  | { readonly type: 'object'; readonly entries: Array<{ key: Node & { type: 'string' }; value: Node }> };

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** True when the text may be JSON worth parsing: an object or an array. */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

/**
 * The text with its secrets replaced: structurally when it is a JSON object or array, as free text
 * otherwise. Adds the replacements to `counter`. Never throws (the scrubber itself never does).
 */
export function scrubStructured(text: string, scrubber: Scrubber, counter?: RedactionCounter): string {
  if (!scrubber.enabled) return text;
  if (!looksLikeJson(text)) return scrubber.scrub(text, counter);
  // Without escapes every decoded string, key and argv element is a substring of the text, and every rule
  // (the key and argv rules included) needs a hint that would then occur in the text itself.
  if (!text.includes('\\') && !scrubber.mayMatch(text)) return text;
  let root: Node | undefined;
  try {
    root = new Parser(text).document();
  } catch {
    root = undefined;
  }
  if (root === undefined) return scrubber.scrub(text, counter);
  const edits: Edit[] = [];
  const tally = { redactions: 0 };
  new Walker(text, scrubber, tally, edits).node(root, undefined);
  if (counter) counter.redactions += tally.redactions;
  if (edits.length === 0) return text;
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

class Walker {
  constructor(
    private readonly text: string,
    private readonly scrubber: Scrubber,
    private readonly tally: RedactionCounter,
    private readonly edits: Edit[],
  ) {}

  node(node: Node, key: string | undefined): void {
    switch (node.type) {
      case 'string':
        this.stringValue(node, key);
        return;
      case 'number':
        if (key !== undefined && SECRET_NAME_REGEX.test(key)) this.replace(node, redactionMarker('assignment'));
        return;
      case 'literal':
        return;
      case 'array':
        this.array(node.items, key);
        return;
      case 'object':
        this.object(node.entries);
        return;
    }
  }

  private object(entries: Array<{ key: Node & { type: 'string' }; value: Node }>): void {
    // `{"name": "DB_PASSWORD", "value": "x"}` (Kubernetes env, Terraform, CI variables): the name is the context.
    let namedSecret = false;
    for (const { key, value } of entries) {
      const name = this.decode(key);
      if (/^(?:name|key|variable|env|id)$/i.test(name) && value.type === 'string' && SECRET_NAME_REGEX.test(this.decode(value))) namedSecret = true;
    }
    for (const { key, value } of entries) {
      const name = this.decode(key);
      const scrubbedName = this.scrubber.scrub(name, this.tally);
      if (scrubbedName !== name) this.replace(key, scrubbedName);
      const context = namedSecret && /^(?:value|secret|data)$/i.test(name) ? 'password' : name;
      this.node(value, context);
    }
  }

  private array(items: Node[], key: string | undefined): void {
    const strings = items.every((item): item is Node & { type: 'string' } => item.type === 'string');
    const argv = strings && items.length >= 2 ? (items as Array<Node & { type: 'string' }>).map((item) => this.decode(item)) : undefined;
    const byArgv = argv ? argvSecrets(argv) : new Map<number, string>();
    items.forEach((item, index) => {
      const replaced = byArgv.get(index);
      if (replaced !== undefined) {
        this.tally.redactions++;
        this.replace(item as Node & { type: 'string' }, replaced);
      } else this.node(item, key);
    });
  }

  private stringValue(node: Node & { type: 'string' }, key: string | undefined): void {
    const value = this.decode(node);
    if (key !== undefined && value !== '' && SECRET_NAME_REGEX.test(key) && !isBenignName(`${key}=`) && !value.startsWith(REDACTION_MARKER_PREFIX) && !isCodeOrReference(value)) {
      // The key says it all: the whole value goes. A specific rule that covers all of it names the kind.
      const counter = { redactions: 0 };
      const specific = this.scrubber.scrub(value, counter);
      const whole = MARKER_ONLY.test(specific);
      this.tally.redactions += whole ? counter.redactions : 1;
      this.replace(node, whole ? specific : redactionMarker('assignment'));
      return;
    }
    if (key !== undefined && CONTEXT_KEY.test(key)) {
      // Rules that read the name in front of a value (`"auth": "<base64>"`, `SecretAccessKey`, `Authorization`)
      // see the pair as `key: value`.
      const pair = `${key}: `;
      const scrubbed = this.scrubber.scrub(pair + value, this.tally);
      if (scrubbed !== pair + value) {
        this.replace(node, scrubbed.startsWith(pair) ? scrubbed.slice(pair.length) : redactionMarker('assignment'));
        return;
      }
    }
    // A string holding JSON (a tool that passes a payload as text) is scrubbed as JSON too.
    const scrubbed = looksLikeJson(value) ? scrubStructured(value, this.scrubber, this.tally) : this.scrubber.scrub(value, this.tally);
    if (scrubbed !== value) this.replace(node, scrubbed);
  }

  private decode(node: Node & { type: 'string' }): string {
    const raw = this.text.slice(node.start, node.end);
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private replace(node: { start: number; end: number }, value: string): void {
    this.edits.push({ start: node.start, end: node.end, text: JSON.stringify(value) });
  }
}

const REGISTRY_LOGIN_TOOLS = new Set(['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'oras', 'helm', 'crane', 'regctl']);
const MYSQL_TOOLS = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mariadb', 'mariadb-dump', 'mysqlimport', 'mysqlshow']);
const PASSWORD_OPTION = /^--(?:[A-Za-z0-9]+-)*(?:password|passwd|pass|token|secret|api-?key|access-key|secret-key|client-secret)$/i;

/**
 * Command-line secrets that only the argv structure shows: the value is the next element
 * (`["sshpass","-p","x"]`), or follows a tool-specific option. Index → the element's replacement.
 */
export function argvSecrets(argv: readonly string[]): Map<number, string> {
  const found = new Map<number, string>();
  const command = (argv[0] ?? '').replace(/^.*\//, '');
  const marker = redactionMarker('cli_password');
  const isValue = (value: string | undefined): value is string =>
    value !== undefined && value !== '' && !value.startsWith('-') && !value.startsWith('$') && !value.startsWith(REDACTION_MARKER_PREFIX);
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (PASSWORD_OPTION.test(arg) && isValue(next)) found.set(++i, marker);
    else if (arg === '-p' && (command === 'sshpass' || (REGISTRY_LOGIN_TOOLS.has(command) && argv.includes('login'))) && isValue(next)) found.set(++i, marker);
    else if (arg === '-a' && command === 'redis-cli' && isValue(next)) found.set(++i, marker);
    else if ((arg === '-u' || arg === '-U' || arg === '--user' || arg === '--proxy-user') && command === 'curl' && isValue(next) && next.includes(':')) {
      found.set(++i, `${next.slice(0, next.indexOf(':') + 1)}${marker}`);
    } else if (/^-pass(?:in|out)?$/.test(arg) && next?.startsWith('pass:') === true && next.length > 5) found.set(++i, `pass:${marker}`);
    else if (MYSQL_TOOLS.has(command) && /^-p./.test(arg) && !arg.startsWith(`-p${REDACTION_MARKER_PREFIX}`)) found.set(i, `-p${marker}`);
  }
  return found;
}

/** A JSON parser that keeps where each string and number is in the text. Throws on anything invalid. */
class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): Node {
    const node = this.value(0);
    this.space();
    if (this.at !== this.text.length) throw new SyntaxError('trailing text');
    return node;
  }

  private value(depth: number): Node {
    if (depth > MAX_DEPTH) throw new SyntaxError('too deep');
    this.space();
    const c = this.text.charCodeAt(this.at);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return { type: 'literal' };
      }
    }
    throw new SyntaxError(`unexpected character at ${this.at}`);
  }

  private object(depth: number): Node {
    this.at++;
    const entries: Array<{ key: Node & { type: 'string' }; value: Node }> = [];
    this.space();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return { type: 'object', entries };
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.at) !== 0x22) throw new SyntaxError('expected a key');
      const key = this.string();
      this.space();
      if (this.text.charCodeAt(this.at++) !== 0x3a) throw new SyntaxError('expected :');
      entries.push({ key, value: this.value(depth + 1) });
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) return { type: 'object', entries };
      if (c !== 0x2c) throw new SyntaxError('expected , or }');
    }
  }

  private array(depth: number): Node {
    this.at++;
    const items: Node[] = [];
    this.space();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return { type: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return { type: 'array', items };
      if (c !== 0x2c) throw new SyntaxError('expected , or ]');
    }
  }

  private string(): Node & { type: 'string' } {
    const start = this.at;
    STRING.lastIndex = start;
    const match = STRING.exec(this.text);
    if (match === null) throw new SyntaxError(`bad string at ${start}`);
    this.at = start + match[0].length;
    return { type: 'string', start, end: this.at };
  }

  private number(): Node {
    const start = this.at;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new SyntaxError(`bad number at ${start}`);
    this.at = start + match[0].length;
    return { type: 'number', start, end: this.at };
  }

  private space(): void {
    const text = this.text;
    let c = text.charCodeAt(this.at);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++this.at);
  }
}

// JSON's own grammar: no raw control characters in strings, only the escapes JSON defines.
// eslint-disable-next-line no-control-regex
const STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
