/**
 * A throw-away PKI for TLS tests, made with the `openssl` CLI (EC P-256, valid 2 days):
 * - ca:        the trusted test CA
 * - server:    `localhost` with SAN DNS:localhost, IP:127.0.0.1, signed by ca
 * - client:    a client certificate signed by ca (for mutual TLS)
 * - otherCa:   an unrelated CA (for "wrong CA" tests), and otherClient signed by it
 * Generated once per process and cached; auto-created folders are removed at process exit.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PemFile {
  path: string;
  pem: string;
}

export interface KeyPair {
  key: PemFile;
  cert: PemFile;
}

export interface TestPki {
  dir: string;
  ca: KeyPair;
  server: KeyPair;
  client: KeyPair;
  otherCa: KeyPair;
  /** A client certificate signed by otherCa: refused by a server trusting only ca. */
  otherClient: KeyPair;
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pemFile(dir: string, name: string): PemFile {
  const file = path.join(dir, name);
  return { path: file, pem: readFileSync(file, 'utf8') };
}

function newKey(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}-key.pem`], dir);
}

function makeCa(dir: string, name: string, commonName: string): KeyPair {
  newKey(dir, name);
  openssl(
    ['req', '-config', 'openssl.cnf', '-x509', '-new', '-key', `${name}-key.pem`, '-out', `${name}.pem`,
      '-days', '2', '-subj', `/CN=${commonName}`, '-extensions', 'v3_ca'],
    dir,
  );
  return { key: pemFile(dir, `${name}-key.pem`), cert: pemFile(dir, `${name}.pem`) };
}

function makeLeaf(dir: string, name: string, commonName: string, ca: string, extensions: string): KeyPair {
  newKey(dir, name);
  openssl(['req', '-config', 'openssl.cnf', '-new', '-key', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`], dir);
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`,
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-out', `${name}.pem`,
      '-extfile', 'openssl.cnf', '-extensions', extensions],
    dir,
  );
  return { key: pemFile(dir, `${name}-key.pem`), cert: pemFile(dir, `${name}.pem`) };
}

function generate(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'openssl.cnf'), OPENSSL_CONFIG);
  const ca = makeCa(dir, 'ca', 'codex-otel test CA');
  const otherCa = makeCa(dir, 'other-ca', 'codex-otel unrelated CA');
  return {
    dir,
    ca,
    server: makeLeaf(dir, 'server', 'localhost', 'ca', 'v3_server'),
    client: makeLeaf(dir, 'client', 'codex-otel test client', 'ca', 'v3_client'),
    otherCa,
    otherClient: makeLeaf(dir, 'other-client', 'codex-otel unrelated client', 'other-ca', 'v3_client'),
  };
}

const cache = new Map<string, TestPki>();

/** The test PKI in `dir` (default: a fresh temp folder), generated once per process and folder. */
export function makeTestPki(dir?: string): TestPki {
  const key = dir ? path.resolve(dir) : '<temp>';
  const cached = cache.get(key);
  if (cached) return cached;
  const target = dir ? path.resolve(dir) : mkdtempSync(path.join(tmpdir(), 'codex-otel-pki-'));
  if (!dir) process.once('exit', () => rmSync(target, { recursive: true, force: true }));
  const pki = generate(target);
  cache.set(key, pki);
  return pki;
}
