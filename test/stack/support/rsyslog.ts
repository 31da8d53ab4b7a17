/**
 * A real rsyslogd (Debian's rsyslog + rsyslog-gnutls, installed by .ci/run) as the SIEM's syslog
 * receiver: its own config in a temporary folder, TLS (gtls netstream driver) on a free loopback
 * port, no privileges needed. Every message it parses is written as one JSON line with rsyslog's
 * own view of the RFC 5424 fields, so the test reads what rsyslog understood, not the raw bytes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './native-stack.js';

export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
const GTLS = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/rsyslog/lmnsd_gtls.so'];
export const HAVE_GTLS = GTLS.some((p) => existsSync(p));

export interface RsyslogMessage {
  protocol: string; pri: string; timestamp: string; hostname: string; app: string; procid: string; msgid: string; sd: string; msg: string;
}

export interface Rsyslog {
  port: number;
  messages(): RsyslogMessage[];
  /** rsyslogd's own diagnostics (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startRsyslog(dir: string, tls: { ca: string; cert: string; key: string }, maxMessageSize = '512k'): Promise<Rsyslog> {
  if (!RSYSLOGD) throw new Error('rsyslogd not found: apt-get install -y rsyslog rsyslog-gnutls');
  const port = await freePort();
  const out = join(dir, 'received.jsonl');
  const conf = join(dir, 'rsyslog.conf');
  // maxMessageSize: rsyslog's default (8k) truncates a record with large tool arguments; a SIEM
  // receiving Codex audit events needs it raised (the 100 KB record below checks it arrives whole).
  writeFileSync(conf, `
global(workDirectory="${dir}" maxMessageSize="${maxMessageSize}"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${tls.ca}" defaultNetstreamDriverCertFile="${tls.cert}" defaultNetstreamDriverKeyFile="${tls.key}")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="${port}")
template(name="parsed" type="list" option.jsonf="on") {
  property(outname="protocol" name="protocol-version" format="jsonf")
  property(outname="pri" name="pri" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
action(type="omfile" file="${out}" template="parsed")
`);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 refused its config: ${check.stderr}${check.stdout}`);
  let stderr = '';
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`rsyslogd does not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    messages: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as RsyslogMessage) : []),
    log: () => stderr,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
