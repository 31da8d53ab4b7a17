/**
 * The secret patterns, as data.
 *
 * The same regex sources drive the client-side scrubber (JavaScript) and the Collector's second line
 * of defence (Go RE2, generated into `collector/secrets.yaml`). So every source here must mean the same
 * thing in both engines:
 * - no lookahead/lookbehind, backreferences, possessive quantifiers, atomic or named groups;
 * - no `\s`, `\d` or `.`: their meaning differs (JS `\s` includes Unicode spaces, RE2's does not;
 *   `.` and newlines differ by flag). Character classes are spelled out in ASCII instead;
 * - a non-ASCII character only as `\uXXXX` (the no-break space, fullwidth `＝` and `：`), which the
 *   Collector generator rewrites as RE2's `\x{XXXX}`;
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
  /**
   * Optional, JavaScript only: a match whose secret part (the match without the kept prefix/suffix)
   * this filter names is left as it is. `code-or-reference` keeps values that are code or a
   * reference, not a secret: `getPassword()`, `process.env.TOKEN`, `string`, `None`, `<your-token>`.
   * The Collector has no such filter and redacts them (a listed difference).
   */
  readonly keep?: 'code-or-reference';
  /** The shape it catches, for the documentation. Fake. */
  readonly example: string;
}

export function redactionMarker(kind: string): string {
  return `${REDACTION_MARKER_PREFIX}${kind}]`;
}

/** ASCII whitespace, spelled out so JS and RE2 agree (see the file comment). */
const WS = '\\t\\n\\v\\f\\r ';
/** Blanks around an assignment: tab, space and the no-break space (U+00A0), which pasted text carries. */
const BLANK = '[\\t \\u00a0]';
/** Characters of a name such as `DB_PASSWORD`, `api-key`, `spring.datasource.password`. */
const NAME_CHAR = 'A-Za-z0-9_.-';
/**
 * What may stand right before a name: the start of the text or a character that cannot be part of
 * it, except `/`, so path segments (`node_modules/jsonwebtoken": {`) are not names.
 */
const NAME_START = `(?:^|[^${NAME_CHAR}/])`;
/** `=`, `:`, `:=` (Go), `=>` (Ruby, PHP), and the fullwidth `＝` and `：`, with optional blanks around. */
const ASSIGN = `${BLANK}*(?::=|=>|[:=\\uff1d\\uff1a])${BLANK}*`;
/**
 * Before an unquoted value a bare `:` must be followed by a blank, as in YAML and HTTP headers, so
 * colon-separated identifiers (`arn:aws:secretsmanager:…:secret:prod/db`) are not read as assignments.
 */
const ASSIGN_BEFORE_BARE = `${BLANK}*(?:(?::=|=>|[=\\uff1d\\uff1a])${BLANK}*|:${BLANK}+)`;
/** A quote around a name or value: plain, or escaped once or more inside JSON text (`\\"`, `\\u0022`). */
const QUOTE = `(?:\\\\*["']|\\\\+u0022)`;
/**
 * The secret words. A name whose last word is one of them holds a secret (`pwd`/`pass` need a separator so
 * `PWD`, `OLDPWD`, `bypass` stay). `SECRET_WORD_SUFFIX` then allows a few words after it that do not change
 * that (`SECRET_KEY_BASE`, `DB_PASSWORD_B64`, `TOKEN_VALUE`, `PASSWORD2`).
 */
const SECRET_WORD = '(?:secret|token|password|passwd|passphrase|api[_-]?key|(?:private|access|secret|app|auth|master|signing|encryption|license|client|service|account|admin|write|ingest|deploy)[_-]?key|[_.-]pwd|[_.-]pass)';
const SECRET_WORD_SUFFIX = '(?:[_.-]?[0-9]+|[_.-](?:base|value|val|b64|base64|raw|str|string|hex|plain|plaintext|enc|encrypted))?';
const SECRET_NAME = `[${NAME_CHAR}]*${SECRET_WORD}${SECRET_WORD_SUFFIX}`;
/** Every alternative of SECRET_NAME contains one of these. */
const SECRET_NAME_HINTS = ['secret', 'token', 'pass', 'pwd', 'key'];
/**
 * Every assignment: a secret word, at most a suffix, an optional (escaped) quote, blanks, then an assignment sign.
 * Written generously: it only has to match wherever an assignment pattern does.
 */
const ASSIGNMENT_PRECHECK = '(?:secret|token|pass|pwd|key)[A-Za-z0-9_.-]{0,16}(?:["\'\\\\]|u0022)*[\\t \\u00a0]*(?::=|=>|[:=\\uff1d\\uff1a])';
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
/**
 * A value between escaped quotes (`\\"…\\"`, `\\u0022…\\u0022`): it ends at the next backslash that starts
 * an escaped quote, a `\\\\` or a `\\u`; other escapes (`\\n`, `\\/`) are part of it.
 */
const ESCAPED_QUOTED_VALUE = `${valueNotStartingWithMarker('"\\\\\\r\\n')}(?:[^"\\\\\\r\\n]|\\\\[^"\\\\u\\r\\n])*`;
/**
 * Unquoted values end at blanks (the no-break space too), quotes, `&` (query strings) and backticks. `,` and `;` belong to the value
 * (a password may hold them) except at its very end, where they end a statement or a list item. A value
 * never starts with a backslash: that is an escaped quote, for the pattern of JSON text.
 */
const BARE_VALUE_END = `${WS}\\u00a0"'\`&`;
/**
 * `$VAR`, `${VAR}`, `${{ secrets.X }}` are references, not secrets; `==` is a comparison; `{` opens a
 * structure whose own fields are scrubbed one by one.
 */
const BARE_VALUE = `${valueNotStartingWithMarker(`${BARE_VALUE_END},;`, '$={\\\\')}(?:[^${BARE_VALUE_END}]*[^${BARE_VALUE_END},;])?`;
/** A value after a command-line option or keyword: not a reference, not another option. */
const OPTION_VALUE = `${valueNotStartingWithMarker(`${WS}\\u00a0"'\`;|&`, '$-<>(\\\\')}[^${WS}\\u00a0"'\`;|&]*`;
/**
 * An option's argument as a shell or JSON shows it: single- or double-quoted (the quotes go with it,
 * the closing one may be cut off), inside escaped quotes (`\\"…`), or bare.
 */
const OPTION_ARG = `(?:'${valueNotStartingWithMarker("'\\r\\n")}[^'\\r\\n]*'?|"${valueNotStartingWithMarker('"\\r\\n')}[^"\\r\\n]*"?|\\\\+"${valueNotStartingWithMarker('"\\\\\\r\\n')}[^"\\\\\\r\\n]*|${OPTION_VALUE})`;

const PEM_LABEL = '-----(?:BEGIN|END)[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----';

/** A token recognised by its own prefix and shape: replaced whole. */
function token(kind: string, source: string, hints: string[], example: string, flags: '' | 'i' = ''): SecretPattern {
  return { kind, source, flags, preserve: 'nothing', hints, example };
}

/**
 * Tokens with a published prefix, one kind per issuer. `\\b` keeps them from starting inside a longer
 * identifier where the prefix is short.
 */
const PREFIXED_TOKENS: readonly SecretPattern[] = [
  token('npm_token', '\\bnpm_[A-Za-z0-9]{36}\\b', ['npm_'], 'npm_ + 36 characters'),
  token('pypi_token', 'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}', ['pypi-AgEIcHlwaS5vcmc'], 'pypi-AgEIcHlwaS5vcmc…'),
  token('rubygems_token', '\\brubygems_[a-f0-9]{48}\\b', ['rubygems_'], 'rubygems_ + 48 hex'),
  token('nuget_key', '\\boy2[a-z0-9]{43}\\b', ['oy2'], 'oy2 + 43 characters'),
  token('docker_hub_token', '\\bdckr_pat_[A-Za-z0-9_-]{27,}', ['dckr_pat_'], 'dckr_pat_…'),
  token('huggingface_token', '\\bhf_[A-Za-z0-9]{34,}\\b', ['hf_'], 'hf_ + 34 characters'),
  token('replicate_token', '\\br8_[A-Za-z0-9]{37}\\b', ['r8_'], 'r8_ + 37 characters'),
  token('groq_api_key', '\\bgsk_[A-Za-z0-9]{52}\\b', ['gsk_'], 'gsk_ + 52 characters'),
  token('perplexity_api_key', '\\bpplx-[A-Za-z0-9]{48}\\b', ['pplx-'], 'pplx- + 48 characters'),
  token('xai_api_key', '\\bxai-[A-Za-z0-9]{80}\\b', ['xai-'], 'xai- + 80 characters'),
  token('openrouter_api_key', '\\bsk-or-v1-[a-f0-9]{64}\\b', ['sk-or-'], 'sk-or-v1- + 64 hex'),
  token('langsmith_api_key', '\\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\\b', ['lsv2_'], 'lsv2_pt_…'),
  token('pinecone_api_key', '\\bpcsk_[A-Za-z0-9_]{50,}', ['pcsk_'], 'pcsk_…'),
  token('sendgrid_api_key', '\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', ['SG.'], 'SG.<22>.<43>'),
  token('mailgun_api_key', '\\bkey-[0-9a-f]{32}\\b', ['key-'], 'key- + 32 hex'),
  token('mailchimp_api_key', '\\b[0-9a-f]{32}-us[0-9]{1,2}\\b', ['-us'], '<32 hex>-us21'),
  token('brevo_api_key', '\\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\\b', ['xkeysib-'], 'xkeysib-…'),
  token('twilio_api_key', '\\bSK[0-9a-f]{32}\\b', ['SK'], 'SK + 32 hex'),
  token('telegram_bot_token', '\\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}', [':AA'], '123456789:AA…'),
  token('discord_bot_token', '\\b[MN][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}', ['.'], 'M….…….…'),
  token('discord_webhook', 'https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]{20,}', ['discord'], 'https://discord.com/api/webhooks/<id>/<token>'),
  token('teams_webhook', 'https://[A-Za-z0-9-]+\\.webhook\\.office\\.com/webhookb2/[A-Za-z0-9@/_-]{20,}', ['webhook.office.com'], 'https://x.webhook.office.com/webhookb2/…'),
  token('shopify_token', '\\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\\b', ['shp'], 'shpat_ + 32 hex'),
  token('linear_api_key', '\\blin_api_[A-Za-z0-9]{40}\\b', ['lin_api_'], 'lin_api_ + 40 characters'),
  token('onepassword_token', '\\bops_eyJ[A-Za-z0-9+/=_-]{100,}', ['ops_eyJ'], 'ops_eyJ…'),
  token('digitalocean_token', '\\bdo[opr]_v1_[a-f0-9]{64}\\b', ['_v1_'], 'dop_v1_ + 64 hex'),
  token('google_oauth_secret', '\\bGOCSPX-[A-Za-z0-9_-]{28}', ['GOCSPX-'], 'GOCSPX-…'),
  token('google_oauth_token', '\\b(?:ya29\\.[A-Za-z0-9_-]{20,}|1//0[A-Za-z0-9_-]{40,})', ['ya29.', '1//0'], 'ya29.…, 1//0…'),
  token('azure_client_secret', '\\b[A-Za-z0-9_~.-]{3}[78]Q~[A-Za-z0-9_~.-]{31,34}', ['Q~'], '<3>8Q~<34>'),
  token('alibaba_access_key_id', '\\bLTAI[A-Za-z0-9]{12,20}\\b', ['LTAI'], 'LTAI + 20 characters'),
  token('atlassian_token', '\\bATATT3[A-Za-z0-9_=-]{100,}', ['ATATT3'], 'ATATT3…'),
  token('notion_token', '\\bntn_[0-9]{11}[A-Za-z0-9]{35}\\b', ['ntn_'], 'ntn_…'),
  token('databricks_token', '\\bdapi[a-f0-9]{32}(?:-[0-9])?\\b', ['dapi'], 'dapi + 32 hex'),
  token('vault_token', '\\bhv[sb]\\.[A-Za-z0-9_-]{24,}', ['hvs.', 'hvb.'], 'hvs.…'),
  token('terraform_token', '\\b[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}', ['.atlasv1.'], '<14>.atlasv1.<60+>'),
  token('pulumi_token', '\\bpul-[a-f0-9]{40}\\b', ['pul-'], 'pul- + 40 hex'),
  token('doppler_token', '\\bdp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}\\b', ['dp.'], 'dp.pt.…'),
  token('supabase_token', '\\bsbp_[a-f0-9]{40}\\b', ['sbp_'], 'sbp_ + 40 hex'),
  token('planetscale_token', '\\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}', ['pscale_'], 'pscale_tkn_…'),
  token('grafana_token', '\\b(?:glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})', ['glsa_', 'glc_'], 'glsa_…, glc_…'),
  token('newrelic_key', '\\bNR(?:AK|II|AA)-[A-Z0-9]{27}\\b', ['NRAK-', 'NRII-', 'NRAA-'], 'NRAK- + 27 characters'),
  token('sentry_token', '\\bsntry[su]_[A-Za-z0-9+/=_]{40,}', ['sntry'], 'sntrys_…'),
  token('age_secret_key', 'AGE-SECRET-KEY-1[0-9A-Z]{58}', ['AGE-SECRET-KEY-1'], 'AGE-SECRET-KEY-1…'),
  token('square_token', '\\b(?:sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60})', ['sq0', 'EAAA'], 'sq0atp-…, EAAA…'),
  token('stripe_webhook_secret', '\\bwhsec_[A-Za-z0-9]{32,}', ['whsec_'], 'whsec_…'),
  token('mapbox_token', '\\bsk\\.eyJ[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}', ['sk.eyJ'], 'sk.eyJ….…'),
];

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'private_key',
    // The body is base64, blanks, escaped newlines (`\\n` inside JSON), `Name: value` headers of encrypted
    // PEM, and what surrounds lines of a key pasted into code or quoted text: quotes and `+` of string
    // concatenation, `#`/`//`/`*` of comments, `>` and `|` of quotes and tables, `;`. A lone `-` is allowed
    // only before a letter or digit, so the body stops at `-----END`. Without an END line (a truncated
    // key) the body alone is redacted.
    source: `${PEM_LABEL.replace('(?:BEGIN|END)', 'BEGIN')}(?:[${BASE64_CHARS}=\\\\${WS}:,.\\u00a0"'\`+#*>|;]|-[A-Za-z0-9])*(?:${PEM_LABEL.replace('(?:BEGIN|END)', 'END')})?`,
    flags: '',
    preserve: 'nothing',
    hints: ['PRIVATE KEY'],
    example: '-----BEGIN RSA PRIVATE KEY-----\\nMIIE…\\n-----END RSA PRIVATE KEY-----',
  },
  // Before the JWT: its body starts with `eyJ` too.
  ...PREFIXED_TOKENS.filter((p) => p.kind === 'onepassword_token' || p.kind === 'mapbox_token'),
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
    source: `((?:aws_?)?secret_?access_?key${QUOTE}?${ASSIGN}${QUOTE}?)[${BASE64_CHARS}]{40}`,
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
    source: 'gl(?:pat|dt|rt|ptt|cbt|imt|agent|oas|ft|soat)-[A-Za-z0-9_.-]{20,}',
    flags: '',
    preserve: 'nothing',
    hints: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-', 'glft-', 'glsoat-'],
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
  ...PREFIXED_TOKENS.filter((p) => p.kind === 'openrouter_api_key'),
  {
    kind: 'openai_api_key',
    // Legacy keys are alphanumeric after `sk-`; project, service-account and admin keys carry a label.
    // Requiring one of the two shapes keeps kebab-case words such as `sk-learn-…` out.
    source: '\\bsk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,})',
    flags: '',
    preserve: 'nothing',
    hints: ['sk-'],
    example: 'sk-proj-…, sk-<48 characters>',
  },
  {
    kind: 'slack_token',
    source: '(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]+-[A-Za-z0-9-]{10,})',
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
  ...PREFIXED_TOKENS.filter((p) => !['onepassword_token', 'mapbox_token', 'openrouter_api_key'].includes(p.kind)),
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
    source: `(authorization${QUOTE}?${ASSIGN}${QUOTE}?bearer${BLANK}+)[A-Za-z0-9._~+/=-]+`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['bearer'],
    example: 'Authorization: Bearer <token>',
  },
  {
    kind: 'basic_auth',
    source: `(authorization${QUOTE}?${ASSIGN}${QUOTE}?basic${BLANK}+)[${BASE64_CHARS}=]+`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['basic'],
    example: 'Authorization: Basic <base64 user:password>',
  },
  {
    kind: 'authorization',
    // Other schemes that carry the credential itself: GitHub's `token`, Discord's `Bot`, `Key`, `SSWS` (Okta), …
    source: `(authorization${QUOTE}?${ASSIGN}${QUOTE}?(?:token|bot|key|apikey|api-key|sso-key|ssws|splunk|dsn|gitlab-token|klaviyo-api-key)${BLANK}+)[A-Za-z0-9._~+/=:-]+`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['authorization'],
    example: 'Authorization: token <token>',
  },
  {
    kind: 'url_password',
    // `scheme://user:password@host`: keeps the scheme, user, `@` and the host's first character. The
    // password may hold `:`, `@`, `/`, `?` and `#` (people do not always percent-encode); it ends at the
    // last `@` of the URL that a host character follows. A password of digits then `/` is a port.
    // The match starts at the scheme's last character: a literal-led scan, where a full scheme
    // would make the engine try every letter of the text. The rest of the scheme stays in place.
    source: `([A-Za-z0-9]://[^${WS}"'<>/?#@:\\[\\]]*:)(?:[^0-9${WS}"'<>@/\\[\\]]|[0-9]+[^0-9${WS}"'<>@/\\[\\]])[^${WS}"'<>\\[\\]]*(@[A-Za-z0-9])`,
    flags: '',
    preserve: 'prefix-and-suffix',
    hints: ['://'],
    example: 'postgres://app:<password>@db:5432/app',
  },
  {
    kind: 'url_credential',
    // A long token as the whole user part (`https://<token>@github.com`, a Sentry DSN's key).
    source: '([A-Za-z0-9]://)[A-Za-z0-9_-]{20,}(@[A-Za-z0-9])',
    flags: '',
    preserve: 'prefix-and-suffix',
    hints: ['://'],
    example: 'https://<token>@github.com/org/repo.git',
  },
  {
    kind: 'url_query_secret',
    // Key-like query parameters (`?key=` of Google APIs, `sig=` of Azure SAS, pre-signed URL signatures).
    source: `([?&;](?:key|auth|sig|signature|x-amz-signature|x-goog-signature|x-goog-credential|code_verifier)=)${valueNotStartingWithMarker(`${WS}&#"'<>`)}[^${WS}&#"'<>]*`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['key=', 'auth=', 'sig=', 'signature=', 'credential=', 'verifier='],
    example: 'https://generativelanguage.googleapis.com/v1/models?key=<key>',
  },
  {
    kind: 'netrc_password',
    // `.netrc`/`_netrc`: `machine host login user password value`, on one line or several.
    source: `((?:machine[${WS}]+[^${WS}]+|default)(?:[${WS}]+(?:login|account|port|protocol)[${WS}]+[^${WS}]+)*[${WS}]+password[${WS}]+)${OPTION_ARG}`,
    flags: '',
    preserve: 'prefix',
    hints: ['password'],
    example: 'machine api.example.com login bot password <value>',
  },
  {
    kind: 'cli_password',
    // `--password value`, `--api-key value`, `--token value` (the `=` form is an assignment below).
    source: `((?:^|[${WS}"'])--(?:[A-Za-z0-9]+-)*(?:password|passwd|pass|token|secret|api-?key|access-key|secret-key|client-secret)${BLANK}+)${OPTION_ARG}`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['--'],
    example: 'psql --password <value>, gh auth login --token <value>',
  },
  {
    kind: 'cli_password',
    // Tools whose short option takes a password: sshpass -p, docker/podman/helm login -p, redis-cli -a,
    // openssl -pass pass:…, mysql -p<password> (attached: a space after -p makes mysql prompt instead).
    source: `((?:sshpass(?:${BLANK}+-[A-Za-z]+)*?${BLANK}+-p${BLANK}*|(?:docker|podman|nerdctl|buildah|skopeo|oras|helm(?:${BLANK}+registry)?)${BLANK}+login(?:${BLANK}[^\\n|;&]*?)?${BLANK}-p${BLANK}+|redis-cli(?:${BLANK}[^\\n|;&]*?)?${BLANK}-a${BLANK}+|-pass(?:in|out)?${BLANK}+["']?pass:|(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)(?:${BLANK}[^\\n|;&]*?)?${BLANK}-p))${OPTION_ARG}`,
    flags: '',
    preserve: 'prefix',
    hints: ['sshpass', 'login', 'redis-cli', 'pass:', 'mysql', 'mariadb'],
    example: 'sshpass -p <value> ssh host, mysql -u root -p<value>',
  },
  {
    kind: 'cli_password',
    // curl -u user:password, --user user:password, --proxy-user.
    source: `(curl(?:${BLANK}[^\\n|;&]*?)?${BLANK}(?:-u|-U|--user|--proxy-user)${BLANK}*["']?[^${WS}"':]+:["']?)${valueNotStartingWithMarker(`${WS}"'`, '$')}[^${WS}"']*`,
    flags: '',
    preserve: 'prefix',
    hints: ['curl'],
    example: 'curl -u deploy:<password> https://…',
  },
  {
    kind: 'xml_secret',
    // `<password>value</password>` (Maven settings.xml, web.config, plist keys as elements).
    source: `(<(?:[A-Za-z0-9_.:-]*:)?[A-Za-z0-9_.-]*${SECRET_WORD}>)${valueNotStartingWithMarker('<')}[^<]*(</)`,
    flags: 'i',
    preserve: 'prefix-and-suffix',
    hints: SECRET_NAME_HINTS,
    example: '<password>value</password>',
  },
  {
    kind: 'xml_secret',
    // .NET appSettings: `<add key="ApiKey" value="…"/>`.
    source: `(key=${QUOTE}[A-Za-z0-9_.:-]*${SECRET_WORD}${QUOTE}${BLANK}+value=${QUOTE})${valueNotStartingWithMarker(`"'\\\\`)}[^"'\\\\]*`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['value='],
    example: '<add key="ApiKey" value="…"/>',
  },
  {
    kind: 'assignment',
    // Docker config.json and .npmrc: `"auth": "<base64 user:password>"`, `_auth=…`.
    source: `(${NAME_START}${QUOTE}?_?auth${QUOTE}?${ASSIGN}${QUOTE}?)[${BASE64_CHARS}]{12,}={0,2}`,
    flags: 'i',
    preserve: 'prefix',
    hints: ['auth'],
    example: '"auth": "<base64>"',
  },
  {
    kind: 'assignment',
    // Inside JSON text: `\\"password\\":\\"value\\"`, `\\u0022token\\u0022:\\u0022value\\u0022`, `X=\\"value\\"`.
    source: `(${NAME_START}${QUOTE}?${SECRET_NAME}${QUOTE}?${ASSIGN}(?:\\\\+"|\\\\+u0022))${ESCAPED_QUOTED_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    keep: 'code-or-reference',
    example: '{\\"password\\":\\"<value>\\"}',
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}${QUOTE}?${SECRET_NAME}${QUOTE}?${ASSIGN}")${DOUBLE_QUOTED_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    keep: 'code-or-reference',
    example: '"client_secret": "<value>"',
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}${QUOTE}?${SECRET_NAME}${QUOTE}?${ASSIGN}')${SINGLE_QUOTED_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    keep: 'code-or-reference',
    example: "api_key: '<value>'",
  },
  {
    kind: 'assignment',
    source: `(${NAME_START}${QUOTE}?${SECRET_NAME}${QUOTE}?${ASSIGN_BEFORE_BARE})${BARE_VALUE}`,
    flags: 'i',
    preserve: 'prefix',
    hints: SECRET_NAME_HINTS,
    precheck: ASSIGNMENT_PRECHECK,
    singleLine: true,
    keep: 'code-or-reference',
    example: 'DB_PASSWORD=<value>, password: <value>',
  },
];

/** The kinds, once each, in pattern order. */
export const SECRET_KINDS: readonly string[] = [...new Set(SECRET_PATTERNS.map((p) => p.kind))];

/** A name that says its value is a secret (`DB_PASSWORD`, `apiKey`, `SECRET_KEY_BASE`): for keys of parsed JSON. */
export const SECRET_NAME_REGEX = new RegExp(`^["']?${SECRET_NAME}["']?$`, 'i');
