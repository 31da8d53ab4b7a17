/**
 * `SecretPattern.keep = 'code-or-reference'`: the value after a secret-named variable is sometimes code
 * or a reference to the secret, not the secret itself. These values are left in place (JavaScript only;
 * the Collector, which cannot run this filter, redacts them: a listed difference).
 */
const CODE_OR_REFERENCE: readonly RegExp[] = [
  // Literals, types and placeholders.
  /^(?:null|none|nil|undefined|true|false|string|str|number|int|integer|bool|boolean|any|unknown|bytes|secretstr|secret\[str\]|optional|required|redacted|await|new|yield|typeof|lambda|function|require|\*+|x{4,}|\.{3}|…|%s|\?)[;,)]*$/i,
  /^(?:Optional|Union|List|Dict|Option|Vec|Box|Secret|SecretStr|SecretString|Promise|Array|Record|Zeroizing)[[<]/,
  /^<[^<>]{1,64}>$/,
  /^\{\{[^{}]*\}\}$/,
  /^%\([A-Za-z_]+\)s$/,
  // References: `$X`, `${X}`, `%X%`, `@Value(…)` style.
  /^\$\{?[A-Za-z_][A-Za-z0-9_.:-]*\}?$/,
  /^%[A-Za-z_][A-Za-z0-9_]*%$/,
  // Reading it: `process.env.TOKEN`, `os.environ[`, `config.password`, `self.token;`.
  /^(?:process|os|env|ENV|config|cfg|conf|settings|self|this|options|opts|params|args|secrets|vars|creds|credentials|ctx|context|req|request|app|window|import|System|Deno|Bun|props|values|data|input|auth|session|Rails|Settings)(?:\??\.[A-Za-z_$][\w$]*)+(?:\[|\(|[;,)]*)$/,
  // Calls: `getPassword()`, `os.getenv(`, `read_secret(path);`, `env::var(`, `load_key(data,`.
  // The name must read like code (snake, dotted or camel case words), not like a random password `vW18xs(2`.
  /^[A-Za-z_$][a-z]+(?:(?:_|\.|::)[a-z]+|[A-Z][a-z]+)*[0-9]*\(/,
  // Passing a variable of the same kind: `connect(password=password)`, `token: token,`.
  /^(?:[a-z]+_)*(?:password|passwd|passphrase|token|secret|api_?key|secret_?key|private_?key|access_?token|refresh_?token|client_?secret)[;,)]*$/i,
];

/**
 * Names that end in a secret word but hold none: pagination and sync cursors (`nextPageToken`,
 * `continuation_token`). Tested on the kept prefix of a match (the name and the assignment sign).
 */
const BENIGN_NAME = /(?:page|continuation|sync|resume|paging|cursor)[_.-]?token["'\\]*(?:u0022)?[\t \u00a0]*(?::=|=>|[:=\uff1d\uff1a])[\t \u00a0]*["'\\]*(?:u0022)?$/i;

export function isBenignName(prefix: string): boolean {
  return BENIGN_NAME.test(prefix);
}

/** True when `value` (the part of a match that would be replaced) is code or a reference, not a secret. */
export function isCodeOrReference(value: string): boolean {
  // What ends a statement or an argument list is not part of the value, nor a line break escaped in JSON
  // text (`password: string;\n` in a cut preview, where a bare value runs up to the next blank).
  const bare = value.replace(/(?:\\+[nrt])+$/, '').replace(/[;,):]+$/, '');
  for (const regex of CODE_OR_REFERENCE) if (regex.test(bare) || regex.test(value)) return true;
  return false;
}
