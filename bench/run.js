// `npm run bench`: measures, in one run and interleaved A B C B0 C0 F, the bare node:http ceiling (A), the
// guarded route (B) and the login (C) of the built app in its default production configuration (rate
// limits on) on MariaDB + Redis against the WeChat simulator, and, for comparison only, B and C again
// on a second instance with RATE_LIMIT_ENABLED=false (B0, C0) and B's floor, a bare Nest app whose guard
// makes one ioredis GET of the same session (F, bench/floor-app.js); prints and writes bench/results.md (a
// variant, a profiled run or one with other measurement settings than the defaults below writes
// bench/.tmp/<run>/results.md instead); exits 1 if any request failed
// (a 429 included: the limits must count every request and refuse none).
// Settings (environment): BENCH_DURATION=10 BENCH_WARMUP=5 BENCH_REPS=3 BENCH_CONNECTIONS=100
// BENCH_OPENIDS=5000 BENCH_TOKENS=4000 BENCH_QUIET_WAIT=30 (s to wait for an idle machine)
// BENCH_EXTRA_REPS=2 (repetitions added to replace ones disturbed by other processes)
// BENCH_APP_NODE_ARGS='--max-semi-space-size=32' and BENCH_APP_ENV='LOG_LEVEL=warn' (app variants)
// BENCH_COMPARE_NODE_ARGS='--max-semi-space-size=8' (node flags of the B0/C0 instance only)
// BENCH_COMPARE_ENV='METRICS_ENABLED=false AUDIT_ENABLED=false' (the B0/C0 instance's settings; default
// RATE_LIMIT_ENABLED=false)
// BENCH_COMPARE_BUILD=/tmp/old (B0/C0 run another checkout's build, with the scored app's settings unless
// BENCH_COMPARE_ENV says otherwise: a before/after within one run, as the VM's speed drifts between runs)
// BENCH_PROFILE=1 (extra, unscored B and C runs under a CPU profiler, summarised into
// bench/.tmp/<run>/profile.md; with BENCH_PROFILE_ALLOC=1 also bytes allocated per request) BENCH_STRICT=1 (also exit 2 on a missed target)
// BENCH_MYSQL_URL (admin connection, default mysql://root@127.0.0.1:3306/) BENCH_REDIS_URL.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { Pool } from 'undici';
import { formatAllocations, summariseAllocations } from './allocation-summary.js';
import { formatSummary, summariseProfile } from './profile-summary.js';

/** The node flags of `npm start` (e.g. the heap cap), so the benchmark runs the app as production does. */
const START_NODE_ARGS = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** Scenario B's route: guarded, answered from the session record (one Redis GET). '/auth/sessions' also works. */
const GUARDED_ROUTE = '/users/me';
const LOGIN_ROUTE = '/auth/login';
// Not the simulator's published default secret: production (NODE_ENV=production here) refuses that one.
const SIMULATOR_APP = { appid: 'wx0123456789abcdef', secret: randomBytes(16).toString('hex') };
const TARGETS = { bRatio: 0.45, cRatio: 0.07, bP99Ms: 10, rssMb: 200 };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What a full run measures with; only such a run may write bench/results.md (see resultsFile). */
const MEASUREMENT_DEFAULTS = {
  durationSec: 10,
  warmupSec: 5,
  reps: 3,
  connections: 100,
  openidPool: 5000,
  // Enough sessions that B stays under the default per-session limit (sessionBudget() checks it).
  tokenPool: 4000,
};
const CONFIG = {
  durationSec: envNumber('BENCH_DURATION', MEASUREMENT_DEFAULTS.durationSec),
  warmupSec: envNumber('BENCH_WARMUP', MEASUREMENT_DEFAULTS.warmupSec),
  reps: envNumber('BENCH_REPS', MEASUREMENT_DEFAULTS.reps),
  connections: envNumber('BENCH_CONNECTIONS', MEASUREMENT_DEFAULTS.connections),
  openidPool: envNumber('BENCH_OPENIDS', MEASUREMENT_DEFAULTS.openidPool),
  tokenPool: envNumber('BENCH_TOKENS', MEASUREMENT_DEFAULTS.tokenPool),
  profile: process.env.BENCH_PROFILE === '1',
  /** With BENCH_PROFILE=1: also a sampling heap profile of each, as bytes allocated per request. */
  profileAllocations: process.env.BENCH_PROFILE === '1' && process.env.BENCH_PROFILE_ALLOC === '1',
  strict: process.env.BENCH_STRICT === '1',
  quietWaitSec: envNumber('BENCH_QUIET_WAIT', 30),
  extraReps: envNumber('BENCH_EXTRA_REPS', 2, true),
  /** Extra node flags for the app, to try variants: BENCH_APP_NODE_ARGS='--max-semi-space-size=32'. */
  appNodeArgs: (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  /** Extra node flags for the comparison instance only: BENCH_COMPARE_NODE_ARGS='--max-semi-space-size=8'. */
  compareNodeArgs: (process.env.BENCH_COMPARE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  /** Extra app environment, to try variants: BENCH_APP_ENV='LOG_LEVEL=warn'. */
  appEnv: parseEnvPairs(process.env.BENCH_APP_ENV),
  /**
   * Settings of the comparison instance (B0, C0): by default rate limits off; e.g.
   * BENCH_COMPARE_ENV='METRICS_ENABLED=false AUDIT_ENABLED=false' compares with metrics and audit off.
   */
  compareEnv: process.env.BENCH_COMPARE_ENV ? parseEnvPairs(process.env.BENCH_COMPARE_ENV) : null,
  /** Another checkout, built (`npm run build` there), whose app B0/C0 run instead of this one's. */
  compareBuild: process.env.BENCH_COMPARE_BUILD || null,
  mysqlAdminUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  serverCore: 0,
  loadCore: 1,
};
/** Guess for the first (warm-up) login run; later runs mint for 2x the fastest rate seen so far. */
const INITIAL_LOGIN_RATE_GUESS = 2000;
/**
 * Codes minted per second of a C run at most: about twice the most this 2-core machine has done
 * (~4,400 logins/s at best, see "Machine bound on C"). It bounds what the bench can send, and so the
 * login limit it needs (loginLimitPerMinute()).
 */
const MAX_LOGIN_STOCK_RATE = 10_000;
/** The app's default per-session limit (src/config/rate-limit.config.ts), which B must stay under. */
const DEFAULT_SESSION_LIMIT_PER_MINUTE = 600;
/** Machine CPU use (in cores) below which we call it idle before starting. */
const QUIET_CORES = 0.25;
/** Loader CPU (one core) above which autocannon, not the server, may be what limits a run. */
const LOADER_BOUND = 0.85;
/** CPU used by processes that are not part of the benchmark above which a run is flagged as contended. */
const OTHER_LOAD_WARN_CORES = 0.25;

const RUN_ID = `weapp_bench_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const TMP = join(ROOT, 'bench', '.tmp', RUN_ID);
const REDIS_PREFIX = `wxauth:bench:${RUN_ID}:`;
const cleanups = [];
/** Every non-2xx status and connection error over the whole run (warm-ups included): status → count. */
const failures = new Map();

/** `A=1 B=2` → { A: '1', B: '2' }. */
function parseEnvPairs(text) {
  return Object.fromEntries(
    (text ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** The comparison instance's settings, as the results name them. */
const COMPARE_ENV = CONFIG.compareEnv ?? (CONFIG.compareBuild ? {} : { RATE_LIMIT_ENABLED: 'false' });
const COMPARE_BUILD_LABEL = CONFIG.compareBuild ? `build ${describeCheckout(CONFIG.compareBuild)}` : null;
const COMPARE_LABEL =
  CONFIG.compareEnv || CONFIG.compareBuild || CONFIG.compareNodeArgs.length > 0
    ? [
        COMPARE_BUILD_LABEL,
        Object.entries(COMPARE_ENV)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
        CONFIG.compareNodeArgs.join(' '),
      ]
        .filter(Boolean)
        .join(', ')
    : 'limits off';

/** `<short commit>` of a checkout, with `+changes` when its tree differs from that commit. */
function describeCheckout(dir) {
  if (!existsSync(join(dir, 'dist', 'src', 'main.js')))
    throw new Error(`BENCH_COMPARE_BUILD: no build in ${dir} (run \`npm run build\` there)`);
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
}

/** The comparison instance's settings in Markdown: `A=1`, `B=2`. */
function compareSettings() {
  const settings = Object.entries(COMPARE_ENV)
    .map(([key, value]) => `\`${key}=${value}\``)
    .join(', ');
  if (!COMPARE_BUILD_LABEL) return `the same build and settings with ${settings}`;
  return `${COMPARE_BUILD_LABEL} (${CONFIG.compareBuild}) with the scored app's settings${settings ? ` and ${settings}` : ''}`;
}

function envNumber(name, fallback, zeroAllowed = false) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------- machine

function machine() {
  const model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  let nproc = availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // nproc is coreutils; availableParallelism() says the same thing
  }
  return { nproc, model, node: process.version, kernel: release() };
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system, all threads) a process has used so far, or null if it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak) of a process in MB, or null if it is gone. */
function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Busy and total jiffies of each CPU (`cpu0`, `cpu1`, …) from /proc/stat. */
function coreTimes() {
  try {
    return Object.fromEntries(
      readFileSync('/proc/stat', 'utf8')
        .split('\n')
        .filter((line) => /^cpu\d+ /.test(line))
        .map((line) => {
          const [name, ...values] = line.trim().split(/\s+/);
          const v = values.map(Number);
          const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
          return [name, { busy: total - v[3] - v[4], total }];
        }),
    );
  } catch {
    return {};
  }
}

function coreBusy(before, after, core) {
  const [a, b] = [before[`cpu${core}`], after[`cpu${core}`]];
  return a && b && b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : null;
}

/** CPU the whole machine used between two coreTimes() samples, in cores. */
function machineBusy(before, after) {
  return Object.keys(after).reduce((sum, name) => {
    const [a, b] = [before[name], after[name]];
    return a && b && b.total > a.total ? sum + (b.busy - a.busy) / (b.total - a.total) : sum;
  }, 0);
}

/** Waits (up to BENCH_QUIET_WAIT s) for a nearly idle machine: other builds and tests skew the figures. */
async function waitForQuiet() {
  for (let waited = 0; ; waited++) {
    const before = coreTimes();
    await sleep(1000);
    const busy = machineBusy(before, coreTimes());
    if (busy < QUIET_CORES) return busy;
    if (waited === 0) {
      const wait = `waiting up to ${CONFIG.quietWaitSec} s`;
      console.warn(`machine busy (${busy.toFixed(2)} cores in use by other processes): ${wait}`);
    }
    if (waited >= CONFIG.quietWaitSec) {
      console.warn(`still busy (${busy.toFixed(2)} cores): measuring anyway, see the "other load" column`);
      return busy;
    }
  }
}

/** The pid of the process listening on a local TCP port (MariaDB, Redis), via `ss`; null if unknown. */
function pidListening(url, defaultPort) {
  try {
    const port = new URL(url).port || String(defaultPort);
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    return Number(out.match(/pid=(\d+)/)?.[1]) || null;
  } catch {
    return null;
  }
}

/**
 * Moves MariaDB and Redis (all their threads) onto the load core for the run and puts them back
 * afterwards. In production they run on hosts of their own; sharing the server's core here would
 * charge their work, and the wake-ups of every round trip, to the app. Returns whether it worked.
 */
function pinServices(services, core) {
  const pids = Object.values(services).filter(Boolean);
  if (pids.length < 2) return false;
  try {
    for (const pid of pids) {
      const before = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' })
        .split(':')
        .pop()
        .trim();
      cleanups.push(async () => {
        execFileSync('taskset', ['-a', '-p', '-c', before, String(pid)], { stdio: 'ignore' });
      });
      execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    }
    return true;
  } catch (error) {
    console.warn(
      `could not pin MariaDB and Redis (${error instanceof Error ? error.message : error}): they stay unpinned`,
    );
    return false;
  }
}

/** Keeps the logs and profiles of the last few runs only: request logs run to tens of MB per run. */
function pruneOldRuns(keep = 3) {
  const parent = dirname(TMP);
  const runs = readdirSync(parent)
    .filter((name) => name.startsWith('weapp_bench_'))
    .sort();
  for (const name of runs.slice(0, -keep)) rmSync(join(parent, name), { recursive: true, force: true });
}

// -------------------------------------------------------------------------------------------- processes

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a child on one core (when taskset exists), its output going to a file in bench/.tmp. */
function startProcess(name, nodeArgs, env, core, pinned, ipc = false) {
  const logFile = join(TMP, `${name}.log`);
  const out = openSync(logFile, 'a');
  const [command, args] = pinned
    ? ['taskset', ['-c', String(core), process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  // taskset execs node in place, so child.pid is the server's own pid.
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', out, out, ...(ipc ? ['ipc'] : [])],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc = { name, child, pid: child.pid, logFile, exited, alive: true, exit: null };
  exited.then((exit) => {
    proc.alive = false;
    proc.exit = exit;
  });
  child.on('error', (error) => console.error(`${name}: ${error.message}`));
  cleanups.push(() => stopProcess(proc));
  return proc;
}

async function stopProcess(proc) {
  if (!proc.alive) return;
  proc.child.kill('SIGTERM');
  const done = await Promise.race([proc.exited, sleep(8000).then(() => null)]);
  if (done === null && proc.alive) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

async function waitForHttp(proc, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive)
      throw new Error(`${proc.name} exited during start-up; see ${relative(ROOT, proc.logFile)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs / 1000} s; see ${proc.logFile}`);
}

function logTail(proc, lines = 20) {
  try {
    return readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// --------------------------------------------------------------------------------------- database, redis

async function createDatabase() {
  const admin = await mysql.createConnection(CONFIG.mysqlAdminUrl);
  try {
    await admin.query(`CREATE DATABASE \`${RUN_ID}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const conn = await mysql.createConnection(CONFIG.mysqlAdminUrl);
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${RUN_ID}\``);
    } finally {
      await conn.end();
    }
  });
  const url = new URL(CONFIG.mysqlAdminUrl);
  url.pathname = `/${RUN_ID}`;
  return url.toString();
}

async function deleteRedisKeys() {
  const redis = new Redis(CONFIG.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

// ------------------------------------------------------------------------------------- codes and tokens

/** Mints login codes through the simulator's control API, one per openid given, in that order. */
async function mintCodes(simulatorUrl, openids) {
  const pool = new Pool(simulatorUrl, { connections: 16 });
  const codes = new Array(openids.length);
  let next = 0;
  const worker = async () => {
    while (next < openids.length) {
      const i = next++;
      const { statusCode, body } = await pool.request({
        method: 'POST',
        path: '/__sim/login-codes',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appid: SIMULATOR_APP.appid, openid: openids[i] }),
      });
      const answer = await body.json();
      if (statusCode !== 200) throw new Error(`minting a login code answered ${statusCode}: ${answer.error}`);
      codes[i] = answer.code;
    }
  };
  try {
    await Promise.all(Array.from({ length: 64 }, worker));
  } finally {
    await pool.close();
  }
  return codes;
}

/** Logs in CONFIG.tokenPool distinct users and returns their bearer tokens. */
async function loginTokenPool(appUrl, simulatorUrl) {
  const openids = Array.from({ length: CONFIG.tokenPool }, (_, i) => `bench-b-${i}`);
  const codes = await mintCodes(simulatorUrl, openids);
  const pool = new Pool(appUrl, { connections: 10 });
  try {
    return await Promise.all(
      codes.map(async (code) => {
        const { statusCode, body } = await pool.request({
          method: 'POST',
          path: LOGIN_ROUTE,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        });
        const answer = await body.json();
        if (statusCode !== 200 || typeof answer.token !== 'string') {
          throw new Error(`token pool login answered ${statusCode}: ${JSON.stringify(answer)}`);
        }
        return answer.token;
      }),
    );
  } finally {
    await pool.close();
  }
}

async function checkGuardedRoute(appUrl, token) {
  const response = await fetch(appUrl + GUARDED_ROUTE, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${GUARDED_ROUTE} answered ${response.status}: ${text}`);
  const unauthorised = await fetch(appUrl + GUARDED_ROUTE);
  await unauthorised.arrayBuffer();
  if (unauthorised.status !== 401) {
    throw new Error(`GET ${GUARDED_ROUTE} without a token answered ${unauthorised.status}, not 401`);
  }
  return text.length;
}

// ------------------------------------------------------------------------------------------ measurement

/**
 * One autocannon run. Each connection gets its own copy of the request template (autocannon shares
 * `requests` objects between connections, so every connection's first request would otherwise be
 * the one built last); `setupRequest` then draws the next token or code from a shared cursor.
 */
async function measure({ url, template, durationSec, maxRequests }) {
  const options = {
    url,
    connections: CONFIG.connections,
    duration: durationSec,
    setupClient: (client) => client.setRequests([{ ...template }]),
  };
  if (maxRequests !== undefined) options.maxOverallRequests = maxRequests;
  return autocannon(options);
}

/**
 * The apps measured: the default configuration (scored) and the same build with RATE_LIMIT_ENABLED=false
 * (for comparison). Both use one database and one Redis prefix, so B's tokens work on both.
 */
const APPS = {
  default: { suffix: '', label: '' },
  limitsOff: { suffix: '0', label: `, ${COMPARE_LABEL}` },
};
const SCENARIO_ORDER = ['A', 'B', 'C', 'B0', 'C0', 'F'];

function scenarios(ctx) {
  const all = {
    A: {
      label: 'A bare node:http',
      pid: () => ctx.bare.pid,
      prepare: async () => ({ url: ctx.bareUrl, template: { method: 'GET', path: '/' } }),
    },
    // B's floor: B's requests, tokens and Redis keys, answered by Nest with nothing of ours.
    F: guardedScenario(
      ctx,
      () => ({ url: ctx.floorUrl, proc: ctx.floor }),
      `F GET ${GUARDED_ROUTE}, floor: bare Nest, one guard, one ioredis GET`,
    ),
  };
  for (const [name, { suffix, label }] of Object.entries(APPS)) {
    const app = () => ctx.apps[name];
    all[`B${suffix}`] = guardedScenario(ctx, app, `B${suffix} GET ${GUARDED_ROUTE}${label}`);
    all[`C${suffix}`] = loginScenario(ctx, app, `C${suffix} POST ${LOGIN_ROUTE}${label}`);
  }
  return all;
}

function guardedScenario(ctx, app, label) {
  return {
    label,
    app,
    pid: () => app().proc.pid,
    prepare: async () => {
      let cursor = 0;
      const { tokens } = ctx;
      return {
        url: app().url,
        template: {
          method: 'GET',
          path: GUARDED_ROUTE,
          setupRequest: (request) => {
            request.headers.authorization = `Bearer ${tokens[cursor++ % tokens.length]}`;
            return request;
          },
        },
      };
    },
  };
}

function loginScenario(ctx, app, label) {
  return {
    label,
    app,
    pid: () => app().proc.pid,
    prepare: async (durationSec) => {
      // Codes are single use and live 5 minutes: mint just enough, just before the run. Openids go
      // round-robin through the pool, so a run updates existing rows (and inserts while the pool is
      // new), and one openid comes back only after openidPool / rate seconds: last_login_at, with
      // millisecond precision, really changes on every login.
      const rate = ctx.maxLoginRate ?? INITIAL_LOGIN_RATE_GUESS;
      const count = loginStock(rate, durationSec);
      const openids = Array.from({ length: count }, () => `bench-c-${ctx.nextOpenid++ % CONFIG.openidPool}`);
      const started = Date.now();
      const codes = await mintCodes(ctx.simulatorUrl, openids);
      ctx.mintRate = count / ((Date.now() - started) / 1000);
      ctx.beforeLogin = await loginRowStats(ctx);
      let cursor = 0;
      return {
        url: app().url,
        // Stops early rather than send a code twice if the stock runs out (reported as "stock hit").
        maxRequests: codes.length - CONFIG.connections,
        template: {
          method: 'POST',
          path: LOGIN_ROUTE,
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            request.body = JSON.stringify({ code: codes[cursor++] ?? 'stock-exhausted' });
            return request;
          },
        },
      };
    },
    after: async (run) => {
      const after = await loginRowStats(ctx);
      run.newRows = after.rows - ctx.beforeLogin.rows;
      run.changedRows = await changedRowsSince(ctx, ctx.beforeLogin.lastLogin);
      ctx.maxLoginRate = Math.max(ctx.maxLoginRate ?? 0, run.rps);
    },
  };
}

/** Codes to mint for one C run: twice the fastest rate seen, capped, plus one in flight per connection. */
function loginStock(rate, durationSec) {
  return Math.ceil(Math.min(rate * 2, MAX_LOGIN_STOCK_RATE) * durationSec) + 2 * CONFIG.connections;
}

/**
 * RATE_LIMIT_LOGIN_PER_MINUTE for the default-configuration app: the most logins the bench can send
 * in one minute, all from 127.0.0.1 (the limit is per client IP). A fixed window of 60 s holds the
 * token pool's logins and at most two C runs of that app (one repetition of A B C B0 C0 takes longer
 * than 50 s), each sending at most its code stock. So the limiter counts every login and refuses none,
 * and nothing else about the defaults changes.
 */
function loginLimitPerMinute() {
  return CONFIG.tokenPool + 2 * loginStock(Infinity, CONFIG.durationSec);
}

/**
 * Requests one session can receive in a 60 s window during B: B sends round-robin over the token
 * pool, and a window holds at most two B runs of the default app (see loginLimitPerMinute()), so at
 * most 2 × duration s × rate / tokens. The bench raises the pool, never the limit.
 */
function sessionBudget(bRps) {
  return Math.ceil((2 * CONFIG.durationSec * bRps) / CONFIG.tokenPool);
}

async function loginRowStats(ctx) {
  const [[row]] = await ctx.db.query(
    "SELECT COUNT(*) AS n, MAX(last_login_at) AS last FROM users WHERE openid LIKE 'bench-c-%'",
  );
  return { rows: Number(row.n), lastLogin: row.last };
}

async function changedRowsSince(ctx, lastLogin) {
  const [[row]] = await ctx.db.query(
    "SELECT COUNT(*) AS n FROM users WHERE openid LIKE 'bench-c-%' AND (? IS NULL OR last_login_at > ?)",
    [lastLogin, lastLogin],
  );
  return Number(row.n);
}

async function runScenario(ctx, key, rep, durationSec) {
  const scenario = ctx.scenarios[key];
  const plan = await scenario.prepare(durationSec);
  const pid = scenario.pid();
  const others = ctx.services;
  const cpuBefore = {
    server: cpuSeconds(pid),
    sim: cpuSeconds(ctx.simulator.pid),
    mariadb: others.mariadb && cpuSeconds(others.mariadb),
    redis: others.redis && cpuSeconds(others.redis),
  };
  const loaderBefore = process.cpuUsage();
  const coresBefore = coreTimes();
  ctx.rssWindow = { pid, peak: 0 };
  const result = await measure({ ...plan, durationSec });
  const loader = process.cpuUsage(loaderBefore);
  for (const { proc } of Object.values(ctx.apps)) if (!proc.alive) throw appDied(proc);
  const coresAfter = coreTimes();
  const share = (name, p) => {
    const now = p == null ? null : cpuSeconds(p);
    return cpuBefore[name] == null || now == null ? null : (now - cpuBefore[name]) / result.duration;
  };
  const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [
    Number(code),
    Number(count),
  ]);
  const ok = codes.filter(([code]) => code >= 200 && code < 300).reduce((sum, [, n]) => sum + n, 0);
  const bad = codes.filter(([code]) => code < 200 || code >= 300);
  const run = {
    key,
    rep,
    label: scenario.label,
    rps: ok / result.duration,
    ok,
    p50: result.latency.p50,
    p99: result.latency.p99,
    duration: result.duration,
    // autocannon's `errors` already include its timeouts.
    failures: bad.reduce((sum, [, n]) => sum + n, 0) + result.errors,
    badCodes: bad,
    errors: result.errors,
    timeouts: result.timeouts,
    cpu: {
      server: share('server', pid),
      loader: (loader.user + loader.system) / 1e6 / result.duration,
      sim: share('sim', ctx.simulator.pid),
      mariadb: share('mariadb', others.mariadb),
      redis: share('redis', others.redis),
      serverCore: coreBusy(coresBefore, coresAfter, CONFIG.serverCore),
      loadCore: coreBusy(coresBefore, coresAfter, CONFIG.loadCore),
    },
    // Everything the machine did that is not ours (nor MariaDB's or Redis'): other users' builds and tests.
    otherLoad: null,
    rssPeak: Math.max(ctx.rssWindow.peak, memoryMb(pid)?.rss ?? 0),
    // Server CPU per answered request: far less disturbed by other load than req/s is.
    cpuUs: null,
    stockHit:
      plan.maxRequests !== undefined &&
      result.totalCompletedRequests >= plan.maxRequests - CONFIG.connections,
  };
  ctx.rssWindow = null;
  const ours = ['server', 'loader', 'sim', 'mariadb', 'redis'].reduce((sum, k) => sum + (run.cpu[k] ?? 0), 0);
  run.otherLoad = Math.max(0, machineBusy(coresBefore, coresAfter) - ours);
  if (run.cpu.server != null && ok > 0) run.cpuUs = (run.cpu.server * result.duration * 1e6) / ok;
  // CPU per answered request of everything else the scenario keeps busy on this machine.
  const helpers = ['loader', 'sim', 'mariadb', 'redis'].reduce((sum, k) => sum + (run.cpu[k] ?? 0), 0);
  if (ok > 0) run.helperUs = (helpers * result.duration * 1e6) / ok;
  if (scenario.after) await scenario.after(run);
  for (const [code, n] of run.badCodes) failures.set(`HTTP ${code}`, (failures.get(`HTTP ${code}`) ?? 0) + n);
  if (run.errors > 0)
    failures.set(
      'connection errors and timeouts',
      (failures.get('connection errors and timeouts') ?? 0) + run.errors,
    );
  console.log(describeRun(run, rep === 0 ? 'warm-up' : `rep ${rep}`, ctx));
  await sleep(1000);
  return run;
}

// -------------------------------------------------------------------------------------------- reporting

/**
 * What the whole machine allows scenario C, whatever the server does: each login also costs CPU in
 * autocannon, the simulator, MariaDB and Redis, all on the same cores.
 */
function machineBound(C, A, cores) {
  if (!C.helperUs || !C.cpuUs) return [];
  const targetRps = TARGETS.cRatio * A.rps;
  const serverBudget = (cores * 1e6) / targetRps - C.helperUs;
  return [
    `Machine bound on C: besides the server's ${fmt(C.cpuUs)} µs, each login cost ${fmt(C.helperUs)} µs of CPU in autocannon, the`,
    `simulator, MariaDB and Redis. With both cores fully used, ${fmt(cores)} cores allow at most ${fmt((cores * 1e6) / (C.cpuUs + C.helperUs))} logins/s at`,
    `today's server cost (C/A ${fmt((cores * 1e6) / (C.cpuUs + C.helperUs) / A.rps, 3)}), and C/A ≥ ${TARGETS.cRatio} (${fmt(targetRps)} logins/s) would need the server`,
    `at ≤ ${fmt(Math.max(0, serverBudget))} µs per login.`,
    '',
  ];
}

const fmt = (n, digits = 0) =>
  n == null || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x) => (x == null ? '–' : `${Math.round(x * 100)} %`);

function describeRun(run, phase, ctx) {
  const parts = [
    `${phase.padEnd(7)} ${run.label.padEnd(22)} ${fmt(run.rps).padStart(7)} req/s`,
    `p50 ${run.p50} ms  p99 ${run.p99} ms`,
    `CPU server ${pct(run.cpu.server)} (${fmt(run.cpuUs)} µs/req) loader ${pct(run.cpu.loader)}`,
    `core ${CONFIG.serverCore} ${pct(run.cpu.serverCore)} core ${CONFIG.loadCore} ${pct(run.cpu.loadCore)}`,
  ];
  if (run.key.startsWith('C')) {
    parts.push(`sim ${pct(run.cpu.sim)} mariadb ${pct(run.cpu.mariadb)} redis ${pct(run.cpu.redis)}`);
    parts.push(`rows +${run.newRows} new, ${run.changedRows} changed, minted ${fmt(ctx.mintRate)}/s`);
  } else if (run.key.startsWith('B')) {
    parts.push(`redis ${pct(run.cpu.redis)}`);
  }
  parts.push(`RSS ${fmt(run.rssPeak)} MB`);
  parts.push(`other load ${run.otherLoad.toFixed(2)} cores${isContended(run) ? ' (CONTENDED)' : ''}`);
  if (run.stockHit) parts.push('(code stock hit: run ended early)');
  if (run.failures > 0) {
    const codes = run.badCodes.map(([code, n]) => `${code}×${n}`).join(', ');
    parts.push(
      `FAILED: ${[codes, run.errors && `errors ${run.errors} (timeouts ${run.timeouts})`].filter(Boolean).join(', ')}`,
    );
  }
  return parts.join(' | ');
}

function median(values) {
  const sorted = values.filter((v) => v != null && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function isContended(run) {
  return run.otherLoad > OTHER_LOAD_WARN_CORES;
}

/** `peakRss`: VmHWM of each app, by APPS name. */
function summarise(allRuns, peakRss) {
  const reps = [...new Set(allRuns.map((r) => r.rep))].sort((a, b) => a - b);
  const byRep = reps.map((rep) => {
    const get = (key) => allRuns.find((r) => r.rep === rep && r.key === key);
    const [a, b, c, b0, c0, f] = SCENARIO_ORDER.map(get);
    const contended = [a, b, c, b0, c0, f].some(isContended);
    const ratios = {
      bRatio: b.rps / a.rps,
      cRatio: c.rps / a.rps,
      b0Ratio: b0.rps / a.rps,
      c0Ratio: c0.rps / a.rps,
      fRatio: f.rps / a.rps,
    };
    return { rep, a, b, c, b0, c0, f, ...ratios, contended };
  });
  // Score the uncontended repetitions when there are at least two; otherwise all, flagged.
  const cleanReps = byRep.filter((r) => !r.contended);
  const scoredReps = cleanReps.length >= Math.min(2, CONFIG.reps) ? cleanReps : byRep;
  for (const r of byRep) r.scored = scoredReps.includes(r);
  const runs = allRuns.filter((run) => scoredReps.some((r) => r.rep === run.rep));
  const row = (key) => {
    const own = runs.filter((r) => r.key === key);
    return {
      label: own[0].label,
      rps: median(own.map((r) => r.rps)),
      p50: median(own.map((r) => r.p50)),
      p99: median(own.map((r) => r.p99)),
      cpu: median(own.map((r) => r.cpu.server)),
      cpuUs: median(own.map((r) => r.cpuUs)),
      helperUs: median(own.map((r) => r.helperUs)),
      loader: median(own.map((r) => r.cpu.loader)),
      core: median(own.map((r) => r.cpu.serverCore)),
      rss: Math.max(...own.map((r) => r.rssPeak)),
    };
  };
  const summary = {
    A: row('A'),
    B: { ...row('B'), ratio: median(scoredReps.map((r) => r.bRatio)) },
    C: { ...row('C'), ratio: median(scoredReps.map((r) => r.cRatio)) },
    B0: { ...row('B0'), ratio: median(scoredReps.map((r) => r.b0Ratio)) },
    C0: { ...row('C0'), ratio: median(scoredReps.map((r) => r.c0Ratio)) },
    F: { ...row('F'), ratio: median(scoredReps.map((r) => r.fRatio)) },
    byRep,
    scoredCount: scoredReps.length,
    allContended: cleanReps.length < Math.min(2, CONFIG.reps),
    peakRss,
  };
  summary.contended = runs
    .filter(isContended)
    .map((r) => `rep ${r.rep} ${r.key} (${r.otherLoad.toFixed(2)} cores)`);
  summary.targets = [
    [`B/A ≥ ${TARGETS.bRatio}`, fmt(summary.B.ratio, 3), summary.B.ratio >= TARGETS.bRatio],
    [`C/A ≥ ${TARGETS.cRatio}`, fmt(summary.C.ratio, 3), summary.C.ratio >= TARGETS.cRatio],
    [`p99 of B ≤ ${TARGETS.bP99Ms} ms`, `${summary.B.p99} ms`, summary.B.p99 <= TARGETS.bP99Ms],
    [`server RSS ≤ ${TARGETS.rssMb} MB`, `${fmt(peakRss.default)} MB`, peakRss.default <= TARGETS.rssMb],
  ];
  return summary;
}

function failureList() {
  const list = [...failures].map(([what, n]) => `${what} ×${fmt(n)}`).join(', ');
  return `requests that were not 2xx or errored: ${list}`;
}

function markdown(summary, info, pinned) {
  const { A, B, C, B0, C0, F } = summary;
  const placement = pinned
    ? `server on CPU ${CONFIG.serverCore} (\`taskset -c ${CONFIG.serverCore}\`), autocannon and the WeChat simulator on CPU ${CONFIG.loadCore}; ` +
      (info.servicesPinned
        ? `MariaDB and Redis moved to CPU ${CONFIG.loadCore} for the run (as on hosts of their own in production), then put back`
        : 'MariaDB and Redis unpinned (could not move them)')
    : '`taskset` not available: nothing pinned, load generator and server share the CPUs';
  const lines = [
    '# Benchmark results',
    '',
    `Generated by \`npm run bench\` on ${info.date}. Regenerated on every run; do not edit by hand.`,
    '',
    ...(failures.size > 0 ? [`**FAILED:** ${failureList()}.`, ''] : []),
    `- Machine: ${info.nproc} CPUs (\`nproc\`), ${info.model}, Node ${info.node}, Linux ${info.kernel}`,
    `- Placement: ${placement}`,
    `- Load: autocannon ${info.autocannon}, ${CONFIG.connections} connections, ${CONFIG.durationSec} s per measurement, ${CONFIG.warmupSec} s warm-up each, ${CONFIG.reps} repetitions interleaved ${SCENARIO_ORDER.join(' ')}`,
    `- B: \`GET ${GUARDED_ROUTE}\`${GUARDED_ROUTE === '/users/me' ? '' : ' (stand-in until `GET /users/me` exists)'} with ${CONFIG.tokenPool} users' tokens in rotation; C: \`POST ${LOGIN_ROUTE}\` with codes minted ahead for a pool of ${CONFIG.openidPool} openids (upserts that change \`last_login_at\`)`,
    `- App: \`node ${[...START_NODE_ARGS, ...CONFIG.appNodeArgs, 'dist/src/main.js'].join(' ')}\` (through bench/app-entry.js), \`NODE_ENV=production\`${Object.entries(
      CONFIG.appEnv,
    )
      .map(([k, v]) => `, \`${k}=${v}\``)
      .join('')}, MariaDB + Redis on 127.0.0.1, the app's default logging (to a file)`,
    `- Settings of B and C (scored): the defaults, rate limits on. Only \`RATE_LIMIT_LOGIN_PER_MINUTE=${info.loginLimit}\` (default 300 per client IP): all of the bench's logins come from 127.0.0.1, and ${fmt(info.loginLimit)} is the most it can send in a minute (${fmt(CONFIG.tokenPool)} token-pool logins plus two C runs' stock of at most ${fmt(MAX_LOGIN_STOCK_RATE)} codes/s × ${CONFIG.durationSec} s + ${2 * CONFIG.connections}), so every login is counted and none refused. The per-session limit stays at its default ${DEFAULT_SESSION_LIMIT_PER_MINUTE}/min: B spreads its requests over ${fmt(CONFIG.tokenPool)} sessions, at most ${fmt(sessionBudget(B.rps))} requests per session in any minute at B's median rate`,
    `- Settings of B0 and C0 (comparison only, not scored): ${compareSettings()}, in a second instance on the same core (idle while the other runs)`,
    "- F (comparison only, not scored): B's requests against `bench/floor-app.js`, Nest on Fastify with one global guard that reads the same session with one ioredis GET and nothing else of the app (no logging, metrics, limits, headers, deadline or batching): what B could reach with Nest and nothing of ours",
    '',
    `Medians over ${summary.scoredCount} scored repetitions (${summary.allContended ? 'all of them: too few were free of other load' : 'those free of other load'}); each ratio is taken within one repetition, then the median.`,
    '',
    `| Scenario | req/s | p50 | p99 | ratio to A | target | server CPU | server µs/req | CPU ${CONFIG.serverCore} busy | peak RSS |`,
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    `| ${A.label} | ${fmt(A.rps)} | ${A.p50} ms | ${A.p99} ms | 1 | | ${pct(A.cpu)} | ${fmt(A.cpuUs)} | ${pct(A.core)} | ${fmt(A.rss)} MB |`,
    `| ${B.label} | ${fmt(B.rps)} | ${B.p50} ms | ${B.p99} ms | ${fmt(B.ratio, 3)} | ≥ ${TARGETS.bRatio}, p99 ≤ ${TARGETS.bP99Ms} ms | ${pct(B.cpu)} | ${fmt(B.cpuUs)} | ${pct(B.core)} | ${fmt(B.rss)} MB |`,
    `| ${C.label} | ${fmt(C.rps)} | ${C.p50} ms | ${C.p99} ms | ${fmt(C.ratio, 3)} | ≥ ${TARGETS.cRatio} | ${pct(C.cpu)} | ${fmt(C.cpuUs)} | ${pct(C.core)} | ${fmt(C.rss)} MB |`,
    ...[B0, C0, F].map(
      (r) =>
        `| ${r.label} | ${fmt(r.rps)} | ${r.p50} ms | ${r.p99} ms | ${fmt(r.ratio, 3)} | (comparison) | ${pct(r.cpu)} | ${fmt(r.cpuUs)} | ${pct(r.core)} | ${fmt(r.rss)} MB |`,
    ),
    '',
    `CPU cost ratios (server µs/req of A over that of B or C, a cross-check that other load disturbs less): B ${fmt(A.cpuUs / B.cpuUs, 3)}, C ${fmt(A.cpuUs / C.cpuUs, 3)}, F ${fmt(A.cpuUs / F.cpuUs, 3)}.`,
    '',
    ...machineBound(C, A, info.nproc),
    `App peak RSS over the whole run (VmHWM): **${fmt(summary.peakRss.default)} MB** (target ≤ ${TARGETS.rssMb} MB); comparison instance (${COMPARE_LABEL}) ${fmt(summary.peakRss.limitsOff)} MB.`,
    '',
    '| Target | Measured | |',
    '| --- | ---: | --- |',
    ...summary.targets.map(([name, value, met]) => `| ${name} | ${value} | ${met ? 'met' : '**missed**'} |`),
    '',
    '### Per repetition',
    '',
    '| Rep | scored | A req/s | B req/s | B/A | B p99 | C req/s | C/A | C p99 | B0/A | B0 p99 | C0/A | F/A | F p99 | loader CPU (A/B/C) | other load (A/B/C/B0/C0/F) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...summary.byRep.map(
      ({ rep, a, b, c, b0, c0, f, bRatio, cRatio, b0Ratio, c0Ratio, fRatio, scored }) =>
        `| ${rep} | ${scored ? 'yes' : 'no'} | ${fmt(a.rps)} | ${fmt(b.rps)} | ${fmt(bRatio, 3)} | ${b.p99} ms | ${fmt(c.rps)} | ${fmt(cRatio, 3)} | ${c.p99} ms | ${fmt(b0Ratio, 3)} | ${b0.p99} ms | ${fmt(c0Ratio, 3)} | ${fmt(fRatio, 3)} | ${f.p99} ms | ${pct(a.cpu.loader)} / ${pct(b.cpu.loader)} / ${pct(c.cpu.loader)} | ${[a, b, c, b0, c0, f].map((r) => r.otherLoad.toFixed(2)).join(' / ')} |`,
    ),
    '',
    'Server CPU: the server process (all threads) in core-seconds per second; near 100 % means its one',
    `core is the bound. CPU ${CONFIG.serverCore} busy: the whole core, whoever used it (the server, other`,
    'processes). Loader CPU: the benchmark process (autocannon) on the other core. Other load:',
    'CPU (in cores) used during the run by processes outside the benchmark, MariaDB and Redis;',
    `above ${OTHER_LOAD_WARN_CORES} the run was contended and its figures understate the app. Latencies are whole`,
    "milliseconds (autocannon's histogram resolution).",
    ...(A.loader >= LOADER_BOUND && A.cpu < 0.95
      ? [
          '',
          `**A is partly bound by the load generator** (loader CPU ${pct(A.loader)}, server ${pct(A.cpu)}): the ceiling is`,
          'somewhat higher than measured, so the throughput ratios flatter B and C a little; the CPU cost ratios do not.',
        ]
      : []),
    ...(summary.contended.length > 0
      ? [
          '',
          `**Scored despite other load:** ${summary.contended.join(', ')}. Re-run on a quiet machine before quoting these.`,
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------------- main

async function main() {
  const info = {
    ...machine(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    autocannon: JSON.parse(readFileSync(join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version,
  };
  if (!existsSync(join(ROOT, 'dist/src/main.js')))
    throw new Error('dist/src/main.js is missing: run `npm run build`');
  mkdirSync(TMP, { recursive: true });
  pruneOldRuns();

  const pinned = hasTaskset() && info.nproc >= 2;
  if (pinned) {
    // -a: every thread of this process (autocannon runs on the main thread; libuv and GC threads too).
    execFileSync('taskset', ['-a', '-p', '-c', String(CONFIG.loadCore), String(process.pid)], {
      stdio: 'ignore',
    });
  } else {
    console.warn(
      hasTaskset()
        ? `only ${info.nproc} CPU: nothing pinned`
        : 'taskset not found: nothing pinned, results are noisier',
    );
  }
  console.log(
    `weapp-auth bench ${RUN_ID}: ${info.nproc} CPUs, ${info.model}, Node ${info.node}; ` +
      `${CONFIG.reps} x (${SCENARIO_ORDER.join(' ')}) x ${CONFIG.durationSec} s, ${CONFIG.connections} connections; logs in ${relative(ROOT, TMP)}`,
  );

  info.busyBefore = await waitForQuiet();
  const databaseUrl = await createDatabase();
  cleanups.push(async () =>
    console.log(`deleted ${await deleteRedisKeys()} Redis keys under ${REDIS_PREFIX}`),
  );

  const ports = { bare: await freePort(), sim: await freePort() };
  const base = { PATH: process.env.PATH, LANG: process.env.LANG ?? 'C.UTF-8' };
  const simulator = startProcess(
    'simulator',
    ['bench/simulator.js'],
    { ...base, BENCH_PORT: String(ports.sim), BENCH_APP: JSON.stringify(SIMULATOR_APP) },
    CONFIG.loadCore,
    pinned,
  );
  const bare = startProcess(
    'bare',
    ['bench/bare-server.js'],
    { ...base, BENCH_PORT: String(ports.bare) },
    CONFIG.serverCore,
    pinned,
  );
  ports.floor = await freePort();
  const floor = startProcess(
    'floor',
    [...START_NODE_ARGS, 'bench/floor-app.js'],
    {
      ...base,
      NODE_ENV: 'production',
      BENCH_PORT: String(ports.floor),
      REDIS_URL: CONFIG.redisUrl,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
    },
    CONFIG.serverCore,
    pinned,
  );
  const simulatorUrl = `http://127.0.0.1:${ports.sim}`;
  const sharedEnv = {
    ...base,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: CONFIG.redisUrl,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    WECHAT_APPID: SIMULATOR_APP.appid,
    WECHAT_SECRET: SIMULATOR_APP.secret,
    WECHAT_API_BASE_URL: simulatorUrl,
    SESSION_KEY_SECRET: randomBytes(32).toString('base64url'),
  };
  info.loginLimit = loginLimitPerMinute();
  /** What each app changes from the defaults (see APPS and the results' "Settings" lines). */
  const loginLimit = { RATE_LIMIT_LOGIN_PER_MINUTE: String(info.loginLimit) };
  const settings = {
    default: loginLimit,
    // A comparison with limits on (BENCH_COMPARE_ENV) needs the same login limit as the scored app.
    limitsOff: CONFIG.compareEnv || CONFIG.compareBuild ? { ...loginLimit, ...COMPARE_ENV } : COMPARE_ENV,
  };
  const ctx = {
    apps: {},
    bare,
    simulator,
    simulatorUrl,
    bareUrl: `http://127.0.0.1:${ports.bare}`,
    floor,
    floorUrl: `http://127.0.0.1:${ports.floor}`,
    nextOpenid: 0,
  };
  for (const name of Object.keys(APPS)) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // PUBLIC_BASE_URL: required in production while avatar uploads are on (loopback http is accepted).
    const env = {
      ...sharedEnv,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      ...settings[name],
      ...CONFIG.appEnv,
    };
    const entry =
      name === 'limitsOff' && CONFIG.compareBuild
        ? join(CONFIG.compareBuild, 'bench', 'app-entry.js')
        : 'bench/app-entry.js';
    const args = [
      ...START_NODE_ARGS,
      ...CONFIG.appNodeArgs,
      ...(name === 'limitsOff' ? CONFIG.compareNodeArgs : []),
      entry,
    ];
    // Only the scored app is profiled.
    const profiled = CONFIG.profile && name === 'default';
    if (profiled) {
      env.BENCH_PROFILE_DIR = TMP;
      if (CONFIG.profileAllocations) env.BENCH_PROFILE_ALLOC = '1';
      args.unshift('--expose-gc', '--import', './bench/cpu-profile-hook.js');
    }
    const proc = startProcess(
      name === 'default' ? 'app' : `app-${name}`,
      args,
      env,
      CONFIG.serverCore,
      pinned,
      profiled,
    );
    ctx.apps[name] = { proc, url, peak: 0 };
  }

  // Peak RSS: the kernel's VmHWM at the end, plus 50 ms polling of VmRSS for per-scenario peaks.
  const sampler = setInterval(() => {
    for (const app of Object.values(ctx.apps)) {
      const mem = memoryMb(app.proc.pid);
      if (mem) app.peak = Math.max(app.peak, mem.hwm, mem.rss);
    }
    if (ctx.rssWindow)
      ctx.rssWindow.peak = Math.max(ctx.rssWindow.peak, memoryMb(ctx.rssWindow.pid)?.rss ?? 0);
  }, 50);
  cleanups.push(async () => clearInterval(sampler));

  const procs = Object.values(ctx.apps).map(({ proc }) => proc);
  try {
    await Promise.all([
      waitForHttp(simulator, `${simulatorUrl}/__sim/requests`),
      waitForHttp(bare, ctx.bareUrl),
      waitForHttp(floor, `${ctx.floorUrl}/ready`),
      ...Object.values(ctx.apps).map(({ proc, url }) => waitForHttp(proc, `${url}/health/ready`, 60_000)),
    ]);
  } catch (error) {
    for (const proc of [...procs, simulator, bare, floor])
      console.error(`--- ${proc.name} log tail ---\n${logTail(proc)}`);
    throw error;
  }
  const appUrl = ctx.apps.default.url;
  console.log(
    `apps up (RSS ${procs.map((proc) => fmt(memoryMb(proc.pid)?.rss)).join(' and ')} MB); logging in ${CONFIG.tokenPool} users for B`,
  );

  ctx.services = {
    mariadb: pidListening(CONFIG.mysqlAdminUrl, 3306),
    redis: pidListening(CONFIG.redisUrl, 6379),
  };
  info.servicesPinned = pinned && pinServices(ctx.services, CONFIG.loadCore);
  ctx.db = await mysql.createConnection(databaseUrl);
  cleanups.push(() => ctx.db.end());
  ctx.tokens = await loginTokenPool(appUrl, simulatorUrl);
  for (const { url } of Object.values(ctx.apps)) {
    const bodyBytes = await checkGuardedRoute(url, ctx.tokens[0]);
    console.log(`${url}${GUARDED_ROUTE} answers 200 with ${bodyBytes} bytes, 401 without a token`);
  }
  ctx.scenarios = scenarios(ctx);
  if (CONFIG.profile) ctx.memoryAtStart = await appMemory(ctx, 'after start-up and the token pool');

  const runs = [];
  for (const key of SCENARIO_ORDER) await runScenario(ctx, key, 0, CONFIG.warmupSec);
  // A repetition during which other processes took CPU is repeated (up to BENCH_EXTRA_REPS times):
  // on a shared machine a colleague's test run otherwise decides the figures.
  let clean = 0;
  for (let rep = 1; clean < CONFIG.reps && rep <= CONFIG.reps + CONFIG.extraReps; rep++) {
    const repRuns = [];
    for (const key of SCENARIO_ORDER) repRuns.push(await runScenario(ctx, key, rep, CONFIG.durationSec));
    runs.push(...repRuns);
    if (repRuns.some(isContended)) console.warn(`rep ${rep} was contended by other processes: not scored`);
    else clean++;
  }

  let profiles = '';
  if (CONFIG.profile) profiles = await profileRuns(ctx);

  const peaks = {};
  for (const [name, app] of Object.entries(ctx.apps))
    peaks[name] = Math.max(app.peak, memoryMb(app.proc.pid)?.hwm ?? 0);
  const summary = summarise(runs, peaks);
  const md = markdown(summary, info, pinned);
  // bench/results.md describes the app as configured for production, measured in a full run; a variant,
  // a profiled run or a shorter one (BENCH_REPS=1, say) writes next to its logs instead, so that it
  // cannot end up in the README by accident.
  const variant =
    Object.entries(MEASUREMENT_DEFAULTS).some(([name, value]) => CONFIG[name] !== value) ||
    CONFIG.profile ||
    CONFIG.appNodeArgs.length > 0 ||
    CONFIG.compareNodeArgs.length > 0 ||
    Object.keys(CONFIG.appEnv).length > 0 ||
    CONFIG.compareEnv !== null ||
    CONFIG.compareBuild !== null;
  const resultsFile = variant ? join(TMP, 'results.md') : join(ROOT, 'bench', 'results.md');
  writeFileSync(resultsFile, md);
  console.log(`\n${md}`);
  if (profiles) {
    writeFileSync(join(TMP, 'profile.md'), profiles);
    console.log(`${profiles}\n(profiles and summary in ${relative(ROOT, TMP)})`);
  }
  console.log(`wrote ${relative(ROOT, resultsFile)}`);
  if (failures.size > 0) {
    const app = ctx.apps.default.proc;
    console.error(`FAILED: ${failureList()}; app log: ${relative(ROOT, app.logFile)}`);
    console.error(logTail(app));
    process.exitCode = 1;
  } else if (CONFIG.strict && summary.targets.some(([, , met]) => !met)) {
    console.error('targets missed (BENCH_STRICT=1)');
    process.exitCode = 2;
  }
}

/** Sends a message to the profiler hook in the app (BENCH_PROFILE=1) and waits for its answer. */
function askApp(ctx, message, answer) {
  return new Promise((resolve, reject) => {
    const app = ctx.apps.default.proc;
    if (!app.alive) return reject(appDied(app));
    const timer = setTimeout(() => done(new Error(`the app did not answer ${message.profile}`)), 30_000);
    const done = (error, reply) => {
      clearTimeout(timer);
      app.child.off('message', onMessage);
      if (error) reject(error);
      else resolve(reply);
    };
    const onMessage = (reply) => {
      if (reply?.profile === 'error') done(new Error(`profiler: ${reply.error}`));
      else if (reply?.profile === answer) done(null, reply);
    };
    app.child.on('message', onMessage);
    app.child.send(message);
  });
}

function appDied(proc) {
  const how = proc.exit?.signal ? `signal ${proc.exit.signal}` : `exit code ${proc.exit?.code}`;
  return new Error(`the app died (${how}); last lines of ${relative(ROOT, proc.logFile)}:\n${logTail(proc)}`);
}

/** One line on the app's memory: process.memoryUsage() and the V8 heap spaces, in MB. */
async function appMemory(ctx, when) {
  const { usage, spaces, afterGc } = await askApp(ctx, { profile: 'memory' }, 'memory');
  const list = (entries) => entries.map(([name, mb]) => `${name} ${mb}`).join(', ');
  const heap = list(Object.entries(spaces).filter(([, mb]) => mb > 0));
  return `- Memory ${when} (MB): ${list(Object.entries(usage))}; V8 spaces: ${heap}; heapUsed after a full GC: ${afterGc}`;
}

/** Extra, unscored runs of B and C with the app's CPU profiler on (BENCH_PROFILE=1). */
async function profileRuns(ctx) {
  const sections = [
    '### CPU profiles (extra runs, not scored)',
    '',
    ctx.memoryAtStart,
    await appMemory(ctx, 'after the scored runs'),
    '',
  ];
  for (const key of ['B', 'C']) {
    await askApp(ctx, { profile: 'start' }, 'started');
    const run = await runScenario(ctx, key, 'profile', CONFIG.durationSec);
    const { file } = await askApp(ctx, { profile: 'stop', name: key }, 'written');
    sections.push(
      formatSummary(`${run.label}: ${fmt(run.rps)} req/s under the profiler`, summariseProfile(file)),
    );
    if (CONFIG.profileAllocations) {
      const heapFile = file.replace(/\.cpuprofile$/, '.heapprofile');
      const title = `${run.label}: allocations over ${fmt(run.ok)} answered requests`;
      sections.push(formatAllocations(title, summariseAllocations(heapFile, run.ok)));
    }
  }
  sections.push(await appMemory(ctx, 'after the profiled runs'), '');
  return sections.join('\n');
}

let cleaning = null;
async function cleanup() {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error('cleanup step failed:', error instanceof Error ? error.message : error);
      }
    }
  })();
  return cleaning;
}

process.on('uncaughtException', (error) => {
  console.error('bench crashed:', error);
  cleanup().finally(() => process.exit(1));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping and cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
