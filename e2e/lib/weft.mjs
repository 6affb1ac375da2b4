// Starts a real `weft serve` on a random port with a fresh data folder (and a fresh PostgreSQL
// database when WEFT_E2E_DB=postgres), and reads the emails it writes to the outbox folder.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export const SEED_PASSWORD = 'weft-seed-password';

export function weftBinary() {
  if (process.env.WEFT_BIN) return process.env.WEFT_BIN;
  const targets = [process.env.CARGO_TARGET_DIR, join(root, 'target')].filter(Boolean);
  for (const t of targets) {
    for (const profile of ['debug', 'release']) {
      const p = join(t, profile, 'weft');
      if (existsSync(p)) return p;
    }
  }
  throw new Error('weft binary not found: run `cargo build` or set WEFT_BIN');
}

function psql(adminUrl, sql) {
  execFileSync('psql', [adminUrl, '-qAtc', sql], { stdio: 'pipe' });
}

/** `extraEnv`: settings for this instance only, e.g. `{ WEFT_PUBLIC_USAGE: 'true' }`. */
/** Starts `weft serve` on a fresh database; `options.seed`: arguments of `weft seed` to fill it
 * first (every seeded account logs in with `SEED_PASSWORD`). */
export async function startWeft(extraEnv = {}, options = {}) {
  const data = mkdtempSync(join(tmpdir(), 'weft-e2e-'));
  const env = { ...process.env, WEFT_DATA_DIR: data, WEFT_BIND: '127.0.0.1:0', WEFT_LOG: 'warn',
    WEFT_RATE_LIMIT_PER_IP: '100000', WEFT_RATE_LIMIT_PER_EMAIL: '100000',
    WEFT_CONNECTIONS_PER_CLIENT: '100000', WEFT_LIVE_STREAMS_PER_CLIENT: '100000', ...extraEnv };
  delete env.WEFT_DATABASE_URL;
  delete env.WEFT_BASE_URL;
  let dbName = null;
  const admin = process.env.WEFT_TEST_POSTGRES_URL;
  if (process.env.WEFT_E2E_DB === 'postgres') {
    if (!admin) throw new Error('WEFT_E2E_DB=postgres needs WEFT_TEST_POSTGRES_URL');
    dbName = `weft_e2e_${process.pid}_${Date.now()}`;
    psql(admin, `CREATE DATABASE "${dbName}"`);
    env.WEFT_DATABASE_URL = admin.replace(/\/[^/]*$/, `/${dbName}`);
  }
  if (options.seed) {
    const seeded = spawnSync(weftBinary(), ['seed', '--data-dir', data, ...options.seed], { env, encoding: 'utf8' });
    if (seeded.status !== 0) throw new Error(`weft seed failed: ${seeded.stderr}${seeded.stdout}`);
  }
  const child = spawn(weftBinary(), ['serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`weft did not start: ${out}`)), 30000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/Weft is running at (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => fail(new Error(`weft exited with ${code}: ${out}`)));
  });
  const outbox = join(data, 'outbox');
  return {
    base,
    data,
    outbox,
    /** All emails so far, decoded, oldest first. */
    emails() {
      if (!existsSync(outbox)) return [];
      return readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort()
        .map((f) => parseEmail(readFileSync(join(outbox, f), 'utf8')));
    },
    /** Waits for the n-th email (1-based) to an address. */
    async email(to, n = 1) {
      for (let i = 0; i < 200; i++) {
        const mine = this.emails().filter((e) => e.to.includes(to));
        if (mine.length >= n) return mine[n - 1];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no email #${n} to ${to}`);
    },
    /** Hands one raw message to `weft mail receive`, as a mail server's pipe would; its output. */
    receive(raw, recipient) {
      return execFileSync(weftBinary(), ['mail', 'receive', '--recipient', recipient, '--base-url', base],
        { env, input: raw, encoding: 'utf8' });
    },
    /** Makes `email` an instance administrator (`weft admin create`) and returns its log-in link. */
    admin(email) {
      const out = execFileSync(weftBinary(), ['admin', 'create', '--email', email, '--base-url', base],
        { env, encoding: 'utf8' });
      return out.match(/(http:\/\/\S+\/login\/token\/\S+)/)[1];
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (dbName) psql(admin, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      rmSync(data, { recursive: true, force: true });
    },
  };
}

function decodeQuotedPrintable(s) {
  return Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

export function parseEmail(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const [head] = text.split('\n\n');
  const headers = head.replace(/\n[ \t]/g, ' ');
  const header = (name) => (headers.match(new RegExp(`^${name}: (.*)$`, 'mi')) || [])[1] || '';
  const boundary = (header('Content-Type').match(/boundary="?([^";]+)"?/) || [])[1];
  let plain = '';
  for (const part of text.split(`--${boundary}`)) {
    const [ph, ...rest] = part.replace(/^\n/, '').split('\n\n');
    const body = rest.join('\n\n');
    if (/text\/plain/i.test(ph)) {
      plain = /quoted-printable/i.test(ph) ? decodeQuotedPrintable(body)
        : /base64/i.test(ph) ? Buffer.from(body, 'base64').toString('utf8') : body;
    }
  }
  return {
    to: header('To'),
    subject: header('Subject'),
    text: plain,
    link(prefix) {
      const m = plain.match(new RegExp(`https?://\\S+${prefix.replace(/\//g, '\\/')}\\S+`));
      if (!m) throw new Error(`no ${prefix} link in: ${plain}`);
      return m[0];
    },
    code() {
      return plain.match(/enter this code where you asked for it: (\d{6})/)[1];
    },
  };
}
