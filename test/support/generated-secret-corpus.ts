/**
 * The generated secret corpus: fake secrets built at test time from fragments (a seeded PRNG over
 * alphabets, so no file in the repository holds anything shaped like a live credential), planted in
 * realistic coding-agent text, each in five encodings; and benign look-alikes that must pass untouched.
 *
 * Encodings of a planted secret (contract §5, issue 13):
 * - `raw`:   the text as a shell or a file shows it;
 * - `shell`: the same with the value shell-quoted (`'…'`);
 * - `json`:  Codex-style tool arguments, `{"command":["bash","-lc","<shell text>"]}` (every quote escaped);
 * - `cut`:   the JSON-escaped text inside a preview cut a few characters after the secret (not valid JSON);
 * - `uescaped`: the same cut preview from a JSON writer that spells characters as `\uXXXX` (see
 *   `UESCAPE_STYLES`: every non-ASCII character, quotes and HTML-sensitive characters, and in some styles
 *   the separators `=`, `:`, blanks, or the whole value), so rules that read the text as it stands see
 *   neither quotes nor assignment signs.
 */

export type Encoding = 'raw' | 'shell' | 'json' | 'cut' | 'uescaped';
export const ENCODINGS: readonly Encoding[] = ['raw', 'shell', 'json', 'cut', 'uescaped'];

export interface PlantedSecret {
  /** The corpus kind (finer than the scrubber's marker kinds: one per issuer or shape). */
  kind: string;
  /** Which context template planted it. */
  context: number;
  /** The fake value. */
  value: string;
  /** What must not appear in any output: the value, or for multi-line secrets each of its lines. */
  needles: string[];
  /** The text per encoding. */
  texts: Record<Encoding, string>;
  /** Recognisable by its shape alone (a prefixed token), without the text around it. */
  shaped: boolean;
}

export interface BenignDocument {
  kind: string;
  text: string;
  /** The text in the `uescaped` encoding (a cut preview of a `\uXXXX`-escaping JSON writer). */
  uescaped: string;
}

export interface EndpointDocument {
  kind: string;
  url: string;
  /** Empty for a benign endpoint. */
  needles: string[];
}

export interface GeneratedCorpus {
  planted: PlantedSecret[];
  benign: BenignDocument[];
  endpoints: EndpointDocument[];
}

/** mulberry32: a small seeded PRNG, so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}_-`;
/** Password characters: no quotes, blanks, `$`, backslash, backtick, braces or `&` (see docs/security.md). */
const PASSWORD = `${ALNUM}!@#%^*_+-=.,;:/?~|[]()<>`;
const CLI_PASSWORD = `${ALNUM}!@#%^*_+-=.,:/?~[]`;

class Fragments {
  constructor(private readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }

  /** A password with at least one letter, digit and symbol, starting with a letter. */
  password(length = 14, alphabet = PASSWORD): string {
    return this.chars(LOWER, 1) + this.chars(UPPER, 1) + this.chars(DIGITS, 2) + this.chars(alphabet, length - 5) + this.pick(['!', '#', '%', '*', '+', '=']);
  }

  /** A password that a shell command line (and XML text) can carry unquoted: no `;`, `|`, `<`, `>`, `(`, `)`. */
  cliPassword(length = 14): string {
    return this.password(length, CLI_PASSWORD);
  }

  uuid(): string {
    const h = this.chars(HEX, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  base64(bytes: number): string {
    const raw = this.chars(B64, Math.ceil((bytes * 4) / 3));
    const pad = (4 - (raw.length % 4)) % 4;
    return raw + '='.repeat(pad);
  }
}

type Quote = (value: string) => string;
/** A context: the text around a value, given how the value is quoted. */
type Context = (value: string, q: Quote) => string;

interface KindSpec {
  kind: string;
  make: (f: Fragments) => string;
  contexts: readonly Context[];
  /** Lines of a multi-line value that must each vanish (PEM bodies). Default: the value itself. */
  needles?: (value: string) => string[];
}

const shellQuote: Quote = (value) => `'${value.replace(/'/g, `'\\''`)}'`;
const bare: Quote = (value) => value;

/** Contexts for a token with a recognisable shape: a telling variable, prose, a CLI argument, a neutral key. */
function tokenContexts(envName: string): Context[] {
  return [
    (v, q) => `export ${envName}=${q(v)}`,
    (v, q) => `the build printed ${q(v)} before it failed`,
    (v, q) => `deploy-tool publish --registry https://registry.example.test ${q(v)}`,
    (v, q) => `settings:\n  value: ${q(v)}\n  region: eu-west-1`,
  ];
}

function token(kind: string, envName: string, make: (f: Fragments) => string): KindSpec {
  return { kind, make, contexts: tokenContexts(envName) };
}

function pem(label: string, lineBreak: string, linePrefix = '', lineSuffix = ''): (f: Fragments) => string {
  return (f) => {
    const lines = [0, 1, 2, 3, 4].map(() => f.chars(B64, 64));
    const body = lines.map((l) => `${linePrefix}${l}${lineSuffix}`).join(lineBreak);
    return `-----BEGIN ${label}-----${lineSuffix}${lineBreak}${body}${lineBreak}${linePrefix}-----END ${label}-----${lineSuffix}`;
  };
}

const pemNeedles = (value: string): string[] => value.match(/[A-Za-z0-9+/]{64}/g) ?? [value];

const TOKEN_KINDS: KindSpec[] = [
  token('npm_token', 'NPM_TOKEN', (f) => `npm_${f.chars(ALNUM, 36)}`),
  token('pypi_token', 'TWINE_PASSWORD', (f) => `pypi-AgEIcHlwaS5vcmc${f.chars(B64URL, 70)}`),
  token('rubygems_token', 'GEM_HOST_API_KEY', (f) => `rubygems_${f.chars(HEX, 48)}`),
  token('nuget_key', 'NUGET_API_KEY', (f) => `oy2${f.chars(LOWER + DIGITS, 43)}`),
  token('docker_hub_token', 'DOCKERHUB_TOKEN', (f) => `dckr_pat_${f.chars(B64URL, 27)}`),
  token('huggingface_token', 'HF_TOKEN', (f) => `hf_${f.chars(ALNUM, 34)}`),
  token('replicate_token', 'REPLICATE_API_TOKEN', (f) => `r8_${f.chars(ALNUM, 37)}`),
  token('groq_api_key', 'GROQ_API_KEY', (f) => `gsk_${f.chars(ALNUM, 52)}`),
  token('perplexity_api_key', 'PPLX_API_KEY', (f) => `pplx-${f.chars(ALNUM, 48)}`),
  token('xai_api_key', 'XAI_API_KEY', (f) => `xai-${f.chars(ALNUM, 80)}`),
  token('openrouter_api_key', 'OPENROUTER_API_KEY', (f) => `sk-or-v1-${f.chars(HEX, 64)}`),
  token('langsmith_api_key', 'LANGSMITH_API_KEY', (f) => `lsv2_pt_${f.chars(HEX, 32)}_${f.chars(HEX, 10)}`),
  token('pinecone_api_key', 'PINECONE_API_KEY', (f) => `pcsk_${f.chars(ALNUM, 6)}_${f.chars(ALNUM, 60)}`),
  token('sendgrid_api_key', 'SENDGRID_API_KEY', (f) => `SG.${f.chars(B64URL, 22)}.${f.chars(B64URL, 43)}`),
  token('mailgun_api_key', 'MAILGUN_API_KEY', (f) => `key-${f.chars(HEX, 32)}`),
  token('mailchimp_api_key', 'MAILCHIMP_API_KEY', (f) => `${f.chars(HEX, 32)}-us${f.pick(['6', '14', '21'])}`),
  token('brevo_api_key', 'BREVO_API_KEY', (f) => `xkeysib-${f.chars(HEX, 64)}-${f.chars(ALNUM, 16)}`),
  token('twilio_api_key', 'TWILIO_API_KEY', (f) => `SK${f.chars(HEX, 32)}`),
  token('telegram_bot_token', 'TELEGRAM_BOT_TOKEN', (f) => `${f.chars('123456789', 1)}${f.chars(DIGITS, 8)}:AA${f.chars(B64URL, 33)}`),
  token('discord_bot_token', 'DISCORD_TOKEN', (f) => `M${f.chars(B64URL, 23)}.${f.chars(B64URL, 6)}.${f.chars(B64URL, 27)}`),
  token('discord_webhook', 'DISCORD_WEBHOOK_URL', (f) => `https://discord.com/api/webhooks/${f.chars(DIGITS, 18)}/${f.chars(B64URL, 68)}`),
  token('teams_webhook', 'TEAMS_WEBHOOK_URL', (f) => `https://contoso.webhook.office.com/webhookb2/${f.uuid()}@${f.uuid()}/IncomingWebhook/${f.chars(HEX, 32)}/${f.uuid()}`),
  token('slack_webhook', 'SLACK_WEBHOOK_URL', (f) => `https://hooks.slack.com/services/T${f.chars(UPPER + DIGITS, 8)}/B${f.chars(UPPER + DIGITS, 8)}/${f.chars(ALNUM, 24)}`),
  token('slack_bot_token', 'SLACK_BOT_TOKEN', (f) => `xoxb-${f.chars(DIGITS, 12)}-${f.chars(DIGITS, 13)}-${f.chars(ALNUM, 24)}`),
  token('shopify_token', 'SHOPIFY_ACCESS_TOKEN', (f) => `shpat_${f.chars(HEX, 32)}`),
  token('linear_api_key', 'LINEAR_API_KEY', (f) => `lin_api_${f.chars(ALNUM, 40)}`),
  token('onepassword_token', 'OP_SERVICE_ACCOUNT_TOKEN', (f) => `ops_eyJ${f.chars(B64, 250)}`),
  token('digitalocean_token', 'DIGITALOCEAN_TOKEN', (f) => `dop_v1_${f.chars(HEX, 64)}`),
  token('google_oauth_secret', 'GOOGLE_CLIENT_SECRET', (f) => `GOCSPX-${f.chars(B64URL, 28)}`),
  token('google_oauth_token', 'GOOGLE_ACCESS_TOKEN', (f) => `ya29.${f.chars(B64URL, 120)}`),
  token('google_api_key', 'GEMINI_API_KEY', (f) => `AIza${f.chars(B64URL, 35)}`),
  token('azure_client_secret', 'AZURE_CLIENT_SECRET', (f) => `${f.chars(ALNUM, 3)}8Q~${f.chars(`${ALNUM}_~.-`, 34)}`),
  token('alibaba_access_key_id', 'ALIBABA_CLOUD_ACCESS_KEY_ID', (f) => `LTAI${f.chars(ALNUM, 20)}`),
  token('aws_access_key_id', 'AWS_ACCESS_KEY_ID', (f) => `AKIA${f.chars(UPPER + DIGITS, 16)}`),
  token('atlassian_token', 'JIRA_API_TOKEN', (f) => `ATATT3${f.chars(B64URL, 180)}`),
  token('notion_token', 'NOTION_TOKEN', (f) => `ntn_${f.chars(DIGITS, 11)}${f.chars(ALNUM, 35)}`),
  token('databricks_token', 'DATABRICKS_TOKEN', (f) => `dapi${f.chars(HEX, 32)}`),
  token('vault_token', 'VAULT_TOKEN', (f) => `hvs.${f.chars(B64URL, 90)}`),
  token('terraform_token', 'TF_TOKEN_app_terraform_io', (f) => `${f.chars(ALNUM, 14)}.atlasv1.${f.chars(B64URL, 67)}`),
  token('pulumi_token', 'PULUMI_ACCESS_TOKEN', (f) => `pul-${f.chars(HEX, 40)}`),
  token('doppler_token', 'DOPPLER_TOKEN', (f) => `dp.pt.${f.chars(ALNUM, 43)}`),
  token('supabase_token', 'SUPABASE_ACCESS_TOKEN', (f) => `sbp_${f.chars(HEX, 40)}`),
  token('planetscale_token', 'PLANETSCALE_SERVICE_TOKEN', (f) => `pscale_tkn_${f.chars(B64URL, 43)}`),
  token('grafana_token', 'GRAFANA_SERVICE_ACCOUNT_TOKEN', (f) => `glsa_${f.chars(ALNUM, 32)}_${f.chars(HEX, 8)}`),
  token('newrelic_key', 'NEW_RELIC_API_KEY', (f) => `NRAK-${f.chars(UPPER + DIGITS, 27)}`),
  token('sentry_token', 'SENTRY_AUTH_TOKEN', (f) => `sntrys_eyJ${f.chars(B64, 80)}`),
  token('age_secret_key', 'SOPS_AGE_KEY', (f) => `AGE-SECRET-KEY-1${f.chars(UPPER + DIGITS, 58)}`),
  token('square_token', 'SQUARE_ACCESS_TOKEN', (f) => `sq0atp-${f.chars(B64URL, 22)}`),
  token('stripe_key', 'STRIPE_SECRET_KEY', (f) => `sk_live_${f.chars(ALNUM, 24)}`),
  token('stripe_webhook_secret', 'STRIPE_WEBHOOK_SECRET', (f) => `whsec_${f.chars(ALNUM, 32)}`),
  token('mapbox_token', 'MAPBOX_ACCESS_TOKEN', (f) => `sk.eyJ${f.chars(B64URL, 60)}.${f.chars(B64URL, 22)}`),
  token('github_token', 'GITHUB_TOKEN', (f) => `ghp_${f.chars(ALNUM, 36)}`),
  token('github_pat', 'GH_TOKEN', (f) => `github_pat_${f.chars(ALNUM, 22)}_${f.chars(ALNUM, 59)}`),
  token('gitlab_token', 'GITLAB_TOKEN', (f) => `glpat-${f.chars(B64URL, 20)}`),
  token('anthropic_api_key', 'ANTHROPIC_API_KEY', (f) => `sk-ant-api03-${f.chars(B64URL, 93)}AA`),
  token('openai_api_key', 'OPENAI_API_KEY', (f) => f.pick([`sk-proj-${f.chars(B64URL, 74)}T3BlbkFJ${f.chars(B64URL, 74)}`, `sk-${f.chars(ALNUM, 20)}T3BlbkFJ${f.chars(ALNUM, 20)}`])),
  token('jwt', 'ID_TOKEN', (f) => `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(`{"sub":"${f.uuid()}"}`).toString('base64url')}.${f.chars(B64URL, 43)}`),
];

const CONTEXT_KINDS: KindSpec[] = [
  {
    kind: 'env_password',
    make: (f) => f.password(),
    contexts: [
      (v, q) => `export DB_PASSWORD=${q(v)}`,
      (v, q) => `DB_PASS=${q(v)} ./migrate up`,
      (v, q) => `MYSQL_PWD=${q(v)} mysql -h db app`,
      (v, q) => `database:\n  host: db\n  password: ${q(v)}\n  pool: 5`,
    ],
  },
  {
    kind: 'secret_word_not_last',
    make: (f) => f.chars(HEX, 48),
    contexts: [
      (v, q) => `SECRET_KEY_BASE=${q(v)} bin/rails server`,
      (v, q) => `export DD_APP_KEY=${q(v)}`,
      (v, q) => `JWT_SECRET_B64=${q(v)}`,
      (v, q) => `ENCRYPTION_KEY_HEX: ${q(v)}`,
    ],
  },
  {
    kind: 'cli_password_option',
    make: (f) => f.cliPassword(16),
    contexts: [
      (v, q) => `psql --host db --password ${q(v)} --dbname app`,
      (v, q) => `mongosh "mongodb://db:27017" --username app --password ${q(v)}`,
      (v, q) => `npx release-bot --api-key ${q(v)} --dry-run`,
      (v, q) => `vendor-cli auth --client-secret ${q(v)}`,
    ],
  },
  {
    kind: 'sshpass',
    make: (f) => f.cliPassword(12),
    contexts: [
      (v, q) => `sshpass -p ${q(v)} ssh deploy@10.0.0.5 uptime`,
      (v, q) => `sshpass -p ${q(v)} scp build.tar.gz ci@build-host:/tmp/`,
    ],
  },
  {
    kind: 'registry_login',
    make: (f) => f.cliPassword(18),
    contexts: [
      (v, q) => `docker login -u ci -p ${q(v)} registry.example.test`,
      (v, q) => `podman login --username ci -p ${q(v)} quay.example.test`,
      (v, q) => `helm registry login registry.example.test -u bot -p ${q(v)}`,
    ],
  },
  {
    kind: 'mysql_password',
    make: (f) => f.cliPassword(12),
    contexts: [
      (v, q) => `mysql -h db -u root -p${q(v)} app`,
      (v, q) => `mysqldump -u app -p${q(v)} app > backup.sql`,
    ],
  },
  {
    kind: 'redis_password',
    make: (f) => f.cliPassword(20),
    contexts: [(v, q) => `redis-cli -h cache -p 6379 -a ${q(v)} ping`],
  },
  {
    kind: 'openssl_pass',
    make: (f) => f.cliPassword(14),
    contexts: [(v, q) => `openssl pkcs12 -in cert.p12 -nodes -passin pass:${q(v)}`],
  },
  {
    kind: 'curl_user_password',
    make: (f) => f.cliPassword(14),
    contexts: [
      (v, q) => `curl -fsS -u deploy:${q(v)} https://artifacts.example.test/upload`,
      (v, q) => `curl --user admin:${q(v)} -X POST https://jenkins.example.test/job/build`,
    ],
  },
  {
    kind: 'netrc',
    make: (f) => f.cliPassword(16),
    contexts: [
      (v) => `$ cat ~/.netrc\nmachine api.example.test login ci password ${v}`,
      (v) => `machine git.example.test\n  login bot\n  password ${v}\n`,
    ],
  },
  {
    kind: 'xml_element',
    make: (f) => f.cliPassword(15),
    contexts: [
      (v) => `<settings><servers><server><id>releases</id><username>ci</username><password>${v}</password></server></servers></settings>`,
      (v) => `<configuration>\n  <ApiKey>${v}</ApiKey>\n</configuration>`,
      (v) => `<appSettings>\n  <add key="SmtpPassword" value="${v}" />\n</appSettings>`,
    ],
  },
  {
    kind: 'docker_config_auth',
    make: (f) => Buffer.from(`ci:${f.password(14)}`).toString('base64'),
    contexts: [
      (v) => `{"auths":{"registry.example.test":{"auth":"${v}"}}}`,
      (v) => `//registry.example.test/:_auth=${v}`,
    ],
  },
  {
    kind: 'credential_json',
    make: (f) => f.chars(B64URL, 35),
    contexts: [
      (v) => `{"installed":{"client_id":"1234-abc.apps.example.test","client_secret":"${v}","redirect_uris":["http://localhost"]}}`,
      (v) => `{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"${v}"}`,
    ],
  },
  {
    kind: 'authorization_token',
    make: (f) => f.chars(HEX, 40),
    contexts: [
      (v, q) => `curl -H ${q(`Authorization: token ${v}`)} https://api.github.example/user`,
      (v, q) => `curl -H ${q(`Authorization: Bearer ${v}`)} https://api.example.test/v1/me`,
      (v, q) => `curl -H ${q(`authorization: Bot ${v}`)} https://discord.example.test/api/users/@me`,
    ],
  },
  {
    kind: 'basic_auth',
    make: (f) => Buffer.from(`svc:${f.password(16)}`).toString('base64'),
    contexts: [(v, q) => `curl -H ${q(`Authorization: Basic ${v}`)} https://registry.example.test/v2/`],
  },
  {
    kind: 'url_password',
    make: (f) => f.chars(ALNUM, 8) + f.pick(['!', '*', '~', '-']) + f.chars(ALNUM, 6),
    contexts: [
      (v, q) => `psql ${q(`postgres://app:${v}@db.internal:5432/app`)} -c 'select 1'`,
      (v, q) => `export REDIS_URL=${q(`redis://:${v}@cache:6379/0`)}`,
    ],
  },
  {
    kind: 'url_password_special',
    make: (f) => `${f.chars(ALNUM, 5)}/${f.chars(ALNUM, 4)}?${f.chars(ALNUM, 3)}#${f.chars(ALNUM, 5)}`,
    contexts: [
      (v, q) => `git clone ${q(`https://bot:${v}@git.example.test/org/repo.git`)}`,
      (v, q) => `DATABASE_URL=${q(`mysql://app:${v}@db:3306/app`)}`,
    ],
  },
  {
    kind: 'url_token_user',
    make: (f) => f.chars(ALNUM, 40),
    contexts: [
      (v, q) => `git remote set-url origin ${q(`https://${v}@github.example/org/repo.git`)}`,
      (v, q) => `SENTRY_DSN=${q(`https://${v}@o12345.ingest.example.test/67890`)}`,
    ],
  },
  {
    kind: 'url_query_key',
    make: (f) => f.chars(B64URL, 39),
    contexts: [
      (v, q) => `curl ${q(`https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=${v}`)}`,
      (v, q) => `wget ${q(`https://store.example.test/c/blob.bin?sv=2024-08-04&se=2026-12-31&sp=r&sig=${v}`)}`,
      (v, q) => `curl ${q(`https://api.example.test/feed?access_token=${v}&format=json`)}`,
    ],
  },
  {
    kind: 'value_after_separator',
    make: (f) => f.chars(ALNUM, 10) + f.pick([';', ',']) + f.chars(ALNUM, 8),
    contexts: [
      (v, q) => `export DB_PASSWORD=${q(v)}`,
      (v) => `ConnectionString="Server=db;Database=app;User Id=app;Password=${v};Encrypt=true"`,
      (v) => `OPTS="user=app,password=${v},sslmode=require"`,
    ],
  },
  {
    kind: 'pem_split',
    make: pem('RSA PRIVATE KEY', '\n', '  "', '\\n" +'),
    contexts: [(v) => `const key =\n  ${v.replace(/ \+$/, ';')}`],
    needles: pemNeedles,
  },
  {
    kind: 'pem_prefixed',
    make: pem('OPENSSH PRIVATE KEY', '\n', '> '),
    contexts: [(v) => `Here is the key from the ticket:\n> ${v}\nPlease rotate it.`],
    needles: pemNeedles,
  },
  {
    kind: 'private_key',
    make: pem('PRIVATE KEY', '\n'),
    contexts: [(v) => `$ cat deploy_key.pem\n${v}\n$`, (v) => `{"type":"service_account","project_id":"demo","private_key":${JSON.stringify(`${v}\n`)},"client_email":"ci@demo.iam.example.test"}`],
    needles: pemNeedles,
  },
  {
    kind: 'unicode_lookalike',
    make: (f) => f.password(14),
    contexts: [
      (v) => `PASSWORD\u00a0=\u00a0${v}`,
      (v) => `db_password\uff1d${v}`,
      (v) => `api_key\uff1a${v}`,
      (v) => `token:\u00a0${v}`,
    ],
  },
  {
    kind: 'u0022_escaped_json',
    make: (f) => f.chars(ALNUM, 24),
    contexts: [(v) => `{\\u0022password\\u0022:\\u0022${v}\\u0022}`, (v) => `payload={\\u0022api_key\\u0022: \\u0022${v}\\u0022}`],
  },
  {
    kind: 'escaped_quotes',
    make: (f) => f.password(14),
    contexts: [(v) => `X_API_TOKEN=\\"${v}\\"`, (v) => `{\\"client_secret\\":\\"${v}\\"}`],
  },
  {
    kind: 'json_body_password',
    make: (f) => f.password(14),
    contexts: [
      (v) => `curl -X POST -d '{"username":"admin","password":"${v}"}' https://api.example.test/login`,
      (v) => `*** Begin Patch\n*** Add File: config/local.json\n+{\n+  "api_key": "${v}",\n+  "region": "eu"\n+}\n*** End Patch`,
    ],
  },
  {
    kind: 'aws_secret_access_key',
    make: (f) => f.chars(B64, 40),
    contexts: [(v, q) => `aws_secret_access_key = ${q(v)}`, (v, q) => `export AWS_SECRET_ACCESS_KEY=${q(v)}`],
  },
  {
    kind: 'azure_storage_key',
    make: (f) => f.base64(64),
    contexts: [(v) => `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${v};EndpointSuffix=core.windows.net"`],
  },
];

export const PLANTED_PER_KIND = 4;

/** Builds the corpus; the same seed gives the same corpus. */
export function generateSecretCorpus(seed = 0x5ec2e75): GeneratedCorpus {
  const f = new Fragments(prng(seed));
  const planted: PlantedSecret[] = [];
  const specs = [...TOKEN_KINDS, ...CONTEXT_KINDS];
  specs.forEach((spec, kindIndex) => {
    for (let n = 0; n < PLANTED_PER_KIND; n++) {
      const value = spec.make(f);
      const context = n % spec.contexts.length;
      const build = spec.contexts[context]!;
      const raw = build(value, bare);
      const shell = build(value, shellQuote);
      const json = JSON.stringify({ command: ['bash', '-lc', shell] });
      planted.push({
        kind: spec.kind,
        context,
        value,
        needles: spec.needles ? spec.needles(value) : [value],
        texts: { raw, shell, json, cut: previewCut(shell, value), uescaped: unicodeEscapedCut(shell, value, UESCAPE_STYLES[(kindIndex + n) % UESCAPE_STYLES.length]!) },
        shaped: TOKEN_KINDS.includes(spec),
      });
    }
  });
  return { planted, benign: benignDocuments(f), endpoints: endpointDocuments(f) };
}

/** The JSON-escaped arguments as a preview shows them when cut a few characters after the secret. */
function previewCut(text: string, value: string): string {
  const escaped = JSON.stringify({ cmd: text });
  const lastLine = value.split('\n').pop()!;
  const at = escaped.indexOf(JSON.stringify(lastLine).slice(1, -1));
  const end = at === -1 ? escaped.length : at + JSON.stringify(lastLine).length - 2 + 3;
  return `${escaped.slice(0, Math.min(escaped.length - 2, end))}\n[... telemetry preview truncated ...]`;
}

/**
 * How JSON writers that escape to `\uXXXX` spell a string: which characters they escape. All of them
 * escape every non-ASCII character (Python's `ensure_ascii`, .NET's default encoder, Java's ASCII-only
 * writers); .NET also escapes `"`, `'`, `+`, `<`, `>`, `&` and the backtick (upper-case hex); PHP with
 * `JSON_HEX_*` escapes quotes and tags; some writers escape every punctuation character, separators
 * and blanks included; `value` spells the whole value as escapes (a writer escaping everything but
 * letters and digits, applied to a value of punctuation, looks the same to a rule).
 */
export interface UescapeStyle {
  readonly name: string;
  /** Escaped wherever it occurs in the string, besides non-ASCII. */
  readonly chars: string;
  readonly upperHex: boolean;
  /** Every character of the value itself is escaped. */
  readonly wholeValue: boolean;
}

export const UESCAPE_STYLES: readonly UescapeStyle[] = [
  { name: 'dotnet-default', chars: `"'+<>&\``, upperHex: true, wholeValue: false },
  { name: 'separators', chars: `"'=: `, upperHex: false, wholeValue: false },
  { name: 'whole-value', chars: `"'`, upperHex: false, wholeValue: true },
];

function uescape(char: string, upperHex: boolean): string {
  let out = '';
  for (let i = 0; i < char.length; i++) {
    const hex = char.charCodeAt(i).toString(16).padStart(4, '0');
    out += `\\u${upperHex ? hex.toUpperCase() : hex}`;
  }
  return out;
}

/** The content of a JSON string as a writer of `style` spells it; `[from, to)` of `text` is escaped whole when the style says so. */
function uescapedString(text: string, style: UescapeStyle, from = -1, to = -1): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = c.charCodeAt(0);
    if ((style.wholeValue && i >= from && i < to) || code >= 0x80 || style.chars.includes(c)) out += uescape(c, style.upperHex);
    else out += JSON.stringify(c).slice(1, -1);
  }
  return out;
}

/** The `{"cmd": …}` arguments of `style`'s writer, cut a few characters after the secret (the string never closes: not JSON). */
function unicodeEscapedCut(text: string, value: string, style: UescapeStyle): string {
  const lastLine = value.split('\n').pop()!;
  const lastAt = text.lastIndexOf(lastLine);
  // A context may reshape the value's end (pem_split): then the whole text goes, the string still unclosed.
  const end = lastAt === -1 ? text.length : lastAt + lastLine.length;
  const start = text.indexOf(value) === -1 ? Math.max(0, text.indexOf(value.slice(0, 20))) : text.indexOf(value);
  const cut = Math.min(text.length, end + 3);
  return `{"cmd":"${uescapedString(text.slice(0, cut), style, start, end)}\n[... telemetry preview truncated ...]`;
}

/**
 * A benign text in the `uescaped` encoding: cut after the text, before the string closes, so it is not
 * JSON either (a cut inside a value would make a cut secret-shaped reference, which is redacted on purpose).
 */
function unicodeEscapedBenign(text: string, style: UescapeStyle): string {
  return `{"output":"${uescapedString(text, { ...style, wholeValue: false })}\n[... telemetry preview truncated ...]`;
}

function endpointDocuments(f: Fragments): EndpointDocument[] {
  const docs: EndpointDocument[] = [];
  for (let n = 0; n < 6; n++) {
    const password = f.password(12).replace(/[/?#@[\]]/g, 'x');
    docs.push({ kind: 'endpoint_userinfo', url: `https://otel:${password}@collector.example.test:4318/v1/logs`, needles: [password] });
    const user = f.chars(ALNUM, 32);
    docs.push({ kind: 'endpoint_token_user', url: `wss://${user}@realtime.example.test/v1/stream`, needles: [user] });
    const wsPassword = f.chars(ALNUM, 14);
    docs.push({ kind: 'endpoint_wss_password', url: `wss://bot:${wsPassword}@gateway.example.test/ws`, needles: [wsPassword] });
    const key = `AIza${f.chars(B64URL, 35)}`;
    docs.push({ kind: 'endpoint_query_key', url: `https://generativelanguage.googleapis.com/v1beta/models/gemini:streamGenerateContent?alt=sse&key=${key}`, needles: [key] });
    const sig = f.chars(B64, 43);
    docs.push({ kind: 'endpoint_query_sig', url: `https://acct.blob.example.test/c/x?sv=2024-08-04&sig=${sig}`, needles: [sig] });
    const tok = f.chars(ALNUM, 30);
    docs.push({ kind: 'endpoint_query_token', url: `https://api.example.test/v1/responses?token=${tok}`, needles: [tok] });
  }
  for (let n = 0; n < 20; n++) {
    docs.push({ kind: 'endpoint_benign', url: f.pick([
      `https://api.example.test/v1/responses`,
      `https://collector.example.test:4318/v1/logs`,
      `http://localhost:${4000 + n}/v1/traces`,
      `wss://realtime.example.test/v1/realtime?model=gpt-5&session=${f.uuid()}`,
      `https://api.example.test/v1/items?page=${n}&limit=50&sort=desc`,
      `/responses`,
    ]), needles: [] });
  }
  return docs;
}

/** Look-alikes: things that have the shape or the vocabulary of secrets and are not. */
function benignDocuments(f: Fragments): BenignDocument[] {
  const docs: BenignDocument[] = [];
  const add = (kind: string, text: string) => docs.push({ kind, text, uescaped: unicodeEscapedBenign(text, UESCAPE_STYLES[docs.length % UESCAPE_STYLES.length]!) });
  const ident = () => f.pick(['user', 'order', 'invoice', 'session', 'report', 'build', 'widget', 'account']);
  for (let n = 0; n < 22; n++) {
    add('git_sha', `commit ${f.chars(HEX, 40)}\nAuthor: Dev <dev@example.test>\n\n    Fix ${ident()} pagination\n\nChange-Id: I${f.chars(HEX, 40)}`);
    add('sha256_digest', `${f.chars(HEX, 64)}  dist/app-${n}.tar.gz\nimage: registry.example.test/app@sha256:${f.chars(HEX, 64)}`);
    add('md5_etag', `HTTP/1.1 200 OK\nETag: "${f.chars(HEX, 32)}"\nContent-MD5: ${f.base64(16)}`);
    add('uuid_ids', `request_id=${f.uuid()} trace_id=${f.chars(HEX, 32)} span_id=${f.chars(HEX, 16)} ulid=01${f.chars('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 24)}`);
    add('base64_media', `<img src="data:image/png;base64,${f.base64(240)}" alt="chart">`);
    add('integrity_hash', `"node_modules/${ident()}-lib": {\n  "version": "1.${n}.0",\n  "integrity": "sha512-${f.base64(64)}"\n}`);
    add('pagination_token', f.pick([
      `{"items":[],"nextPageToken":"${f.chars(B64URL, 40)}"}`,
      `{"data":[{"id":${n}}],"next_page_token":"${f.chars(B64URL, 32)}","has_more":true}`,
      `GET /v1/${ident()}s?pageToken=${f.chars(B64URL, 24)}&pageSize=50`,
      `{"continuation_token":"${f.base64(24)}","count":50}`,
      `{"cursor":"${f.base64(18)}","limit":25}`,
    ]));
    add('code_naming_secrets', f.pick([
      `const token = await getToken(${ident()}Id);`,
      `export interface Credentials {\n  username: string;\n  password: string;\n  apiKey?: string;\n}`,
      `api_key = os.environ["OPENAI_API_KEY"]`,
      `SECRET_KEY = env("DJANGO_SECRET_KEY")`,
      `password: str = Field(..., min_length=12)`,
      `if (!process.env.STRIPE_SECRET_KEY) throw new Error("missing key");`,
      `client = OpenAI(api_key=api_key)`,
      `private_key = load_pem_private_key(data, password=None)`,
      `  apiKey: process.env.GEMINI_API_KEY,`,
      `      GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}`,
      `export GH_TOKEN="$GITHUB_TOKEN"`,
      `PASSWORD=$(cat /run/secrets/db_password)`,
      `db_password: "{{ vault_db_password }}"`,
      `token_type: Bearer\nexpires_in: 3600`,
      `max_tokens: 4096\ntemperature: 0.2`,
      `docker login -u ci --password-stdin registry.example.test < token.txt`,
      `const PASSWORD_MIN_LENGTH = 12;`,
      `passwordless: true\nmfa_required: false`,
      `let secret = ctx.secret;`,
      `fn token(&self) -> &str { &self.token }`,
    ]));
    add('prose', f.pick([
      'Rotate the API key every 90 days and store it in the vault, never in the repository.',
      'The token expired, so run `gh auth login` again and retry the push.',
      'Enter your password when prompted; the tool never stores it on disk.',
      'We moved every secret to the secrets manager last sprint.',
      'If the key is missing, the client falls back to anonymous access with lower rate limits.',
      'Passwords must have at least 12 characters, including a digit.',
    ]));
    add('test_output', `✓ ${ident()} service › rejects an expired token (${n} ms)\n✓ ${ident()} service › hashes the password with argon2id\nTests: ${n + 10} passed`);
    add('usage_json', `{"usage":{"input_tokens":${1000 + n},"output_tokens":${200 + n},"total_tokens":${1200 + 2 * n}},"model":"gpt-5"}`);
    add('arn_and_paths', `arn:aws:secretsmanager:eu-west-1:${f.chars(DIGITS, 12)}:secret:prod/${ident()}-db-AbCdEf\n/var/run/secrets/kubernetes.io/serviceaccount/token`);
    add('references', f.pick([
      `password: \${DB_PASSWORD}`,
      `token = "<your-token-here>"`,
      `API_KEY=********`,
      `client_secret: REDACTED_BY_VAULT_AGENT_${n}`.replace(/.*/, `client_secret: "%(client_secret)s"`),
      `export OPENAI_API_KEY=$OPENAI_API_KEY`,
    ]));
    add('unicode_escapes', f.pick([
      String.raw`{"name":"Ren\u00e9e M\u00fcller","city":"K\u00f8benhavn","token_type":"Bearer","expires_in":3600}`,
      String.raw`const NBSP = "\u00a0"; const FULLWIDTH_EQUALS = "\uff1d"; // look-alikes the tokenizer folds`,
      String.raw`printf '%s\n' "password reset link sent" | sed 's/\u0022/"/g'`,
      String.raw`{"message":"max_tokens\u003d4096 exceeded for ${ident()}","code":"\u003cinvalid\u003e"}`,
      String.raw`log: key\u003dvalue pairs parsed: ${n}, emoji \ud83d\ude00, lone \ud800 kept`,
      String.raw`C:\Users\dev-${n}\AppData\Local\Temp\u1234-build.log`,
    ]));
    add('go_sum', `github.com/${ident()}/lib v1.${n}.0 h1:${f.base64(32)}\ngithub.com/${ident()}/lib v1.${n}.0/go.mod h1:${f.base64(32)}`);
  }
  return docs;
}
