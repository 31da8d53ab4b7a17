/**
 * The secret-scrubbing corpus: realistic tool output with planted FAKE secrets, and ordinary output
 * that must pass untouched. Reused by the unit tests, the wire tests and the Collector cross-check.
 *
 * Files under `planted/` mark each secret inline:
 *   «kind:generator»  a fake value synthesised here (so no token-shaped string is stored in the repo)
 *   «kind=literal»    a fake value written in the file (passwords, which no scanner recognises)
 *   «kind~literal»    not a secret, but knowingly redacted (documented over-redaction)
 * Files under `clean/` have no marks and must come out unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SECRET_CORPUS_DIR = fileURLToPath(new URL('../fixtures/secrets-corpus/', import.meta.url));

export interface PlantedSecret {
  /** The document it sits in. */
  document: string;
  kind: string;
  /** The fake secret, as it appears in `text`. */
  value: string;
}

export interface CorpusDocument {
  /** Path relative to the corpus folder, e.g. `planted/dotenv.txt`. */
  name: string;
  /** The text as a tool would print it. */
  text: string;
  /** The text as the scrubber must return it. Equal to `text` for clean documents. */
  expected: string;
  secrets: PlantedSecret[];
  /** Non-secrets that are knowingly redacted. */
  overRedactions: PlantedSecret[];
}

export interface SecretCorpus {
  planted: CorpusDocument[];
  clean: CorpusDocument[];
  /** Every planted secret of every document. */
  secrets: PlantedSecret[];
}

const MARK = /«([a-z0-9_]+)([:=~])([^»]*)»/g;

export function loadSecretCorpus(): SecretCorpus {
  const planted = readFolder('planted').map(({ name, raw }) => expandMarks(name, raw));
  const clean = readFolder('clean').map(({ name, raw }) => {
    if (raw.includes('«')) throw new Error(`${name}: clean documents carry no marks`);
    return { name, text: raw, expected: raw, secrets: [], overRedactions: [] };
  });
  return { planted, clean, secrets: planted.flatMap((d) => d.secrets) };
}

function readFolder(folder: string): { name: string; raw: string }[] {
  const dir = join(SECRET_CORPUS_DIR, folder);
  return readdirSync(dir)
    .filter((file) => !file.startsWith('.'))
    .sort()
    .map((file) => ({ name: `${folder}/${file}`, raw: readFileSync(join(dir, file), 'utf8') }));
}

function expandMarks(name: string, raw: string): CorpusDocument {
  const secrets: PlantedSecret[] = [];
  const overRedactions: PlantedSecret[] = [];
  let text = '';
  let expected = '';
  let last = 0;
  let serial = 0;
  for (const match of raw.matchAll(MARK)) {
    const [whole, kind = '', how, arg = ''] = match;
    const value = how === ':' ? fakeValue(arg, ++serial, name) : arg;
    text += raw.slice(last, match.index) + value;
    expected += raw.slice(last, match.index) + `[REDACTED:${kind}]`;
    last = match.index + whole.length;
    (how === '~' ? overRedactions : secrets).push({ document: name, kind, value });
  }
  if (raw.slice(last).includes('«')) throw new Error(`${name}: malformed mark after offset ${last}`);
  text += raw.slice(last);
  expected += raw.slice(last);
  return { name, text, expected, secrets, overRedactions };
}

/** Fill a length from a visibly fake alphabet, ending in the serial so values are unique. */
function fill(length: number, serial: number, alphabet = 'FAKEfake'): string {
  const tail = String(serial).padStart(4, '0');
  return alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length - tail.length) + tail;
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

function pemBody(serial: number, lineBreak: string): string {
  return [0, 1, 2, 3].map((i) => fill(64, serial * 10 + i, 'FAKEKEYMATERIALfakekeymaterial0+/')).join(lineBreak);
}

function pem(label: string, serial: number, lineBreak = '\n', headers = ''): string {
  return `-----BEGIN ${label}-----${lineBreak}${headers}${pemBody(serial, lineBreak)}${lineBreak}-----END ${label}-----`;
}

const GENERATORS: Record<string, (serial: number) => string> = {
  aws_id: (n) => `AKIAFAKEFAKE${String(n).padStart(4, '0')}${'FAKE'}`,
  aws_sts_id: (n) => `ASIAFAKEFAKE${String(n).padStart(4, '0')}${'FAKE'}`,
  aws_secret: (n) => fill(40, n, 'FAKEfake/+'),
  google: (n) => `AIza${fill(35, n, 'FAKE_fake-')}`,
  ghp: (n) => `ghp_${fill(36, n)}`,
  gho: (n) => `gho_${fill(36, n)}`,
  ghu: (n) => `ghu_${fill(36, n)}`,
  ghs: (n) => `ghs_${fill(36, n)}`,
  ghr: (n) => `ghr_${fill(36, n)}`,
  github_pat: (n) => `github_pat_${fill(22, n)}_${fill(59, n)}`,
  glpat: (n) => `glpat-${fill(20, n, 'FAKEfake_-')}`,
  anthropic: (n) => `sk-ant-api03-${fill(93, n, 'FAKEfake_-')}AA`,
  openai_proj: (n) => `sk-proj-${fill(120, n, 'FAKEfake_-')}`,
  openai_legacy: (n) => `sk-${fill(48, n)}`,
  slack_bot: (n) => `xoxb-000000000000-0000000000000-${fill(24, n)}`,
  slack_user: (n) => `xoxp-000000000000-000000000000-000000000000-${fill(32, n)}`,
  slack_webhook: (n) => `https://hooks.slack.com/services/T00000000/B00000000/${fill(24, n)}`,
  stripe_live: (n) => `sk_live_${fill(24, n)}`,
  stripe_test: (n) => `sk_test_${fill(24, n)}`,
  stripe_restricted: (n) => `rk_live_${fill(24, n)}`,
  jwt: (n) => `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(`{"sub":"fake-user-${n}","iat":0}`)}.${fill(43, n, 'FAKEsig_-')}`,
  basic: (n) => Buffer.from(`fakeuser:fake-password-${n}`).toString('base64'),
  azure: (n) => `${fill(86, n, 'FAKEfake+/')}==`,
  pem_rsa: (n) => pem('RSA PRIVATE KEY', n),
  pem_pkcs8: (n) => pem('PRIVATE KEY', n),
  pem_ec: (n) => pem('EC PRIVATE KEY', n),
  pem_openssh: (n) => pem('OPENSSH PRIVATE KEY', n),
  pem_pgp: (n) => pem('PGP PRIVATE KEY BLOCK', n, '\n', 'Version: FakePG v0\n\n'),
  pem_encrypted: (n) => pem('RSA PRIVATE KEY', n, '\n', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FAKE00FAKE00FAKE00FAKE00FAKE00\n\n'),
  pem_crlf: (n) => pem('PRIVATE KEY', n, '\r\n'),
  pem_json: (n) => pem('PRIVATE KEY', n, '\\n'),
  // `head -n 5 key.pem`: no END line. The redaction runs to the end of the base64 lines and takes the newline after them.
  pem_truncated: (n) => `-----BEGIN PRIVATE KEY-----\n${pemBody(n, '\n')}\n`,
};

function fakeValue(generator: string, serial: number, document: string): string {
  const make = GENERATORS[generator];
  if (!make) throw new Error(`${document}: unknown generator ${generator}`);
  return make(serial);
}
