/**
 * The secret patterns, as data.
 *
 * The same regex sources drive the client-side scrubber (JavaScript) and the Collector's second line
 * of defence (Go RE2, generated into `collector/secrets.yaml`). So every source here must mean the same
 * thing in both engines:
 * - no lookahead/lookbehind, backreferences, possessive quantifiers, atomic or named groups;
 * - no `\s`, `\d` or `.`: their meaning differs (JS `\s` includes Unicode spaces, RE2's does not;
 *   `.` and newlines differ by flag). Character classes are spelled out in ASCII instead;
 * - the only flag is `i`, rendered as a leading `(?i)` for RE2;
 * - repetition bounds stay below RE2's limit of 1000.
 *
 * Shape of a match: when `preserve` is `prefix`, capture group 1 is text kept in front of the secret
 * (a variable name, a header, a URL user); with `prefix-and-suffix`, group 2 is kept after it. All
 * other groups are non-capturing. Everything else in the match is the secret and becomes
 * `[REDACTED:<kind>]`.
 *
 * Order matters: patterns run one after the other, the specific token shapes before the generic
 * context rules (headers, URLs, assignments), so `GITHUB_TOKEN=ghp_…` reports `github_token`. The
 * context rules never match a value that already starts with `[REDACTED:`, so scrubbing is
 * idempotent and client-scrubbed telemetry passes the Collector's copy of these rules unchanged.
 *
 * JavaScript's engine backtracks, so each source is also written to stay linear on hostile input:
 * names are anchored on the character before them, the URL scheme length is bounded, and the PEM
 * body uses a class that cannot run past its END line.
 */

export const REDACTION_MARKER_PREFIX = '[REDACTED:';

export type PreservedContext = 'nothing' | 'prefix' | 'prefix-and-suffix';

export interface SecretPattern {
  /** Goes into the marker `[REDACTED:<kind>]`. Lowercase snake case. */
  readonly kind: string;
  /** Regex source valid in JavaScript and in Go RE2, with the same meaning in both. */
  readonly source: string;
  readonly flags: '' | 'i';
  readonly preserve: PreservedContext;
  /**
   * A match is impossible unless the text contains one of these (case-insensitively when `flags` is
   * `i`). Lets the scrubber skip a pattern with a substring search instead of a regex pass.
   */
  readonly hints: readonly string[];
  /**
   * Optional, JavaScript only: a regex that must match wherever the pattern matches, tested instead
   * of `hints` when a substring test lets too much through to an expensive pattern.
   */
  readonly precheck?: string;
  /**
   * Optional, JavaScript only, needs `precheck`: no match contains a line feed, except as its first
   * character when that character is the `(?:^|[^…])` that opens group 1 (kept in the output), and
   * the precheck matches inside every match. The scrubber then runs the pattern only on the lines
   * where the precheck matches, with the same result as on the whole text (`^` at a slice's start
   * plays the part of the `\n` before the line). Re-check both claims whenever the source changes.
   */
  readonly singleLine?: true;
  /** The shape it catches, for the documentation. Fake. */
  readonly example: string;
}

export function redactionMarker(kind: string): string {
  return `${REDACTION_MARKER_PREFIX}${kind}]`;
}

/** ASCII whitespace, spelled out so JS and RE2 agree (see the file comment). */
const WS = '\\t\\n\\v\\f\\r ';
/** Characters of a name such as `DB_PASSWORD`, `api-key`, `spring.datasource.password`. */
const NAME_CHAR = 'A-Za-z0-9_.-';
/**
 * What may stand right before a name: the start of the text or a character that cannot be part of
 * it, except `/`, so path segments (`node_modules/jsonwebtoken": {`) are not names.
 */
const NAME_START = `(?:^|[^${NAME_CHAR}/])`;
/** `=`, `:`, `:=` (Go), `=>` (Ruby, PHP), with optional blanks around. */
const ASSIGN = '[\\t ]*(?::=|=>|[:=])[\\t ]*';
/**
 * Before an unquoted value a bare `:` must be followed by a blank, as in YAML and HTTP headers, so
 * colon-separated identifiers (`arn:aws:secretsmanager:…:secret:prod/db`) are not read as assignments.
 */
const ASSIGN_BEFORE_BARE = '[\\t ]*(?:(?::=|=>|=)[\\t ]*|:[\\t ]+)';
/** A name whose last word says it holds a secret. `pwd`/`pass` need a separator so `PWD`, `OLDPWD`, `bypass` stay. */
const SECRET_NAME = `[${NAME_CHAR}]*(?:secret|token|password|passwd|passphrase|api[_-]?key|private[_-]?key|access[_-]?key|secret[_-]?key|[_.-]pwd|[_.-]pass)`;
/** Every alternative of SECRET_NAME contains one of these. */
const SECRET_NAME_HINTS = ['secret', 'token', 'pass', 'pwd', 'key'];
/** Every assignment has a SECRET_NAME ending, an optional quote, blanks, then `:` or `=`. */
const ASSIGNMENT_PRECHECK = '(?:secret|token|pass(?:word|wd|phrase)?|pwd|key)["\']?[\\t ]*[:=]';
const BASE64_CHARS = 'A-Za-z0-9+/';

/**
 * A regex fragment for the first characters of a value that does not start with `[REDACTED:`: one
 * character drawn from `[^excluded]` (and also not in `excludedFirst`), unless the value follows the
 * marker's spelling, in which case it must leave it before the marker's `:`. Only values that are a
 * proper prefix of the marker itself (`[`, `[RED`, …) are not matched; they cannot be secrets.
 */
export function valueNotStartingWithMarker(excluded: string, excludedFirst = ''): string {
  const literal = ['\\[', 'R', 'E', 'D', 'A', 'C', 'T', 'E', 'D', ':'];
  let chain = `[^${literal[literal.length - 1]}${excluded}]`;
  for (let i = literal.length - 2; i >= 1; i--) {
    chain = `[^${literal[i]}${excluded}]|${literal[i]}(?:${chain})`;
  }
  return `(?:[^${literal[0]}${excluded}${excludedFirst}]|${literal[0]}(?:${chain}))`;
}

const DOUBLE_QUOTED_VALUE = `${valueNotStartingWithMarker('"\\r\\n')}(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*`;
const SINGLE_QUOTED_VALUE = `${valueNotStartingWithMarker("'\\r\\n")}[^'\\r\\n]*`;
/** Unquoted values end at blanks, quotes and the separators of query strings, connection strings and lists. */
const BARE_VALUE_END = `${WS}"'\`,;&`;
/**
 * `$VAR`, `${VAR}`, `${{ secrets.X }}` are references, not secrets; `==` is a comparison; `{` opens a
 * structure whose own fields are scrubbed one by one.
 */
const BARE_VALUE = `${valueNotStartingWithMarker(BARE_VALUE_END, '$={')}[^${BARE_VALUE_END}]*`;

const PEM_LABEL = '-----(?:BEGIN|END)[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----';

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'private_key',
    // The body is base64, blanks, escaped newlines (`\n` inside JSON) and `Name: value` headers of
    // encrypted PEM. A lone `-` is allowed only before a letter or digit, so the body stops at
    // `-----END`. Without an END line (a truncated key) the body alone is redacted.
    source: `${PEM_LABEL.replace('(?:BEGIN|END)', 'BEGIN')}(?:[${BASE64_CHARS}=\\\\${WS}:,.]|-[A-Za-z0-9])*(?:${PEM_LABEL.replace('(?:BEGIN|END)', 'END')})?`,
    flags: '',
    preserve: 'nothing',
    hints: ['PRIVATE KEY'],
    example: '-----BEGIN RSA PRIVATE KEY-----\\nMIIE…\\n-----END RSA PRIVATE KEY-----',
  },
  {
    kind: 'jwt',
    // Header and payload are base64url JSON objects, so both start with `eyJ` (`{"`).
    source: '\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*',
    flags: '',
    preserve: 'nothing',
    hints: ['eyJ'],
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.c2lnbmF0dXJl',
  },
  {
    kind: 'aws_access_key_id',
    source: '\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b',
    flags: '',
    preserve: 'nothing',
    hints: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    example: 'AKIAFAKEFAKEFAKE1234',
  },
  {
    kind: 'aws_secret_access_key',
    source: `((?:aws_?)?secret_?access_?key["']?${ASSIGN}["']?)[${BASE64_CHARS}]{40}`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['access'],
    example: 'aws_secret_access_key = <40 base64 characters>',
  },
  {
    kind: 'google_api_key',
    source: 'AIza[0-9A-Za-z_-]{35}',
    flags: '',
    preserve: 'nothing',
    hints: ['AIza'],
    example: 'AIza + 35 characters',
  },
  {
    kind: 'github_token',
    source: '(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})',
    flags: '',
    preserve: 'nothing',
    hints: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    example: 'ghp_ + 36 characters, github_pat_…',
  },
  {
    kind: 'gitlab_token',
    source: 'gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_.-]{20,}',
    flags: '',
    preserve: 'nothing',
    hints: ['glpat-', 'gldt-', 'glrt-', 'glptt-'],
    example: 'glpat-FAKEfakeFAKEfake1234',
  },
  {
    kind: 'anthropic_api_key',
    source: 'sk-ant-[A-Za-z0-9_-]{20,}',
    flags: '',
    preserve: 'nothing',
    hints: ['sk-ant-'],
    example: 'sk-ant-api03-…',
  },
  {
    kind: 'openai_api_key',
    // Legacy keys are alphanumeric after `sk-`; project, service-account and admin keys carry a label.
    // Requiring one of the two shapes keeps kebab-case words such as `sk-learn-…` out.
    source: '\\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,})',
    flags: '',
    preserve: 'nothing',
    hints: ['sk-'],
    example: 'sk-proj-…, sk-<48 characters>',
  },
  {
    kind: 'slack_token',
    source: '(?:xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[0-9]+-[A-Za-z0-9-]{10,})',
    flags: '',
    preserve: 'nothing',
    hints: ['xox', 'xapp-'],
    example: 'xoxb-0000-0000-FAKE',
  },
  {
    kind: 'slack_webhook',
    source: 'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{8,}',
    flags: '',
    preserve: 'nothing',
    hints: ['hooks.slack.com'],
    example: 'https://hooks.slack.com/services/T000/B000/FAKE',
  },
  {
    kind: 'stripe_key',
    // Secret and restricted keys only: publishable keys (`pk_`) are meant to be public.
    source: '\\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}',
    flags: '',
    preserve: 'nothing',
    hints: ['k_live_', 'k_test_'],
    example: 'sk_live_…, rk_live_…, sk_test_…',
  },
  {
    kind: 'azure_storage_key',
    source: `((?:AccountKey|SharedAccessKey)=)[${BASE64_CHARS}]{30,}={0,2}`,
    flags: '',
    preserve: 'prefix',
    hints: ['AccountKey=', 'SharedAccessKey='],
    example: 'AccountName=x;AccountKey=<base64>==',
  },
  {
    kind: 'bearer_token',
    source: `(authorization["']?${ASSIGN}["']?bearer[\\t ]+)[A-Za-z0-9._~+/=-]+`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['bearer'],
    example: 'Authorization: Bearer <token>',
  },
  {
    kind: 'basic_auth',
    source: `(authorization["']?${ASSIGN}["']?basic[\\t ]+)[${BASE64_CHARS}=]+`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['basic'],
    example: 'Authorization: Basic <base64 user:password>',
  },
  {
    kind: 'url_password',
    // `scheme://user:password@host`: keeps the scheme, user and `@`. The password may hold `:` and
    // `@` (people do not always percent-encode); it ends at the last `@` before the host.
    // The match starts at the scheme's last character: a literal-led scan, where a full scheme
    // would make the engine try every letter of the text. The rest of the scheme stays in place.
    source: `([A-Za-z0-9]://[^${WS}"'<>/?#@:\\[\\]]*:)[^${WS}"'<>/?#\\[\\]]+(@)`,
    flags: '',
    preserve: 'prefix-and-suffix',
    hints: ['://'],
    example: 'postgres://app:<password>@db:5432/app',
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}["']?${SECRET_NAME}["']?${ASSIGN}")${DOUBLE_QUOTED_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    example: '"client_secret": "<value>"',
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}["']?${SECRET_NAME}["']?${ASSIGN}')${SINGLE_QUOTED_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    example: "api_key: '<value>'",
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}["']?${SECRET_NAME}["']?${ASSIGN_BEFORE_BARE})${BARE_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    example: 'DB_PASSWORD=<value>, password: <value>',
  },
];

/** The kinds, once each, in pattern order. */
export const SECRET_KINDS: readonly string[] = [...new Set(SECRET_PATTERNS.map((p) => p.kind))];
