import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { DEFAULT_SIMULATOR_APP, SimulatorControlClient } from '../src/wechat-simulator/index.js';
import { killAndWait } from './support/child-process.js';
import { http } from './support/http.js';
import { testRedisPrefix, testRedisUrl } from './support/test-services.js';

/**
 * The package as another team gets it: `npm pack`, installed from the tarball into a scratch Nest 12
 * app (its own package.json, a different @nestjs/core patch than ours, Express, its own TypeORM
 * DataSource with its own `users` table, its own Redis key prefix), built once as ESM and once as
 * CommonJS with strict tsc, booted as real processes and played against on MariaDB and Redis with the
 * WeChat simulator from `weapp-auth/testing`. The app's sources are real files in test/packed-consumer/.
 */

const REPO = resolve('.');
const TEMPLATES = join(REPO, 'test', 'packed-consumer');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
/** A Nest patch other than ours (12.5.x), so a second copy of @nestjs/core would show. */
const CONSUMER_NEST_VERSION = '12.4.2';
const APPID = DEFAULT_SIMULATOR_APP.appid;
const SESSION_KEY_SECRET = 'packed-consumer-session-key-secret-0123456789';
const WECHAT_USERS_TABLE = 'wechat_users'; // as in test/packed-consumer/src/settings.ts
/** The consumer's own rows, some with bytes a careless ALTER or charset change would not keep. */
const CONSUMER_EMAILS = ['alice@example.com', 'Bob@Example.com', 'zoë@example.org', 'emoji😀@example.net'];
/** Folders of dist/src that only this repository's own server needs: never in the tarball. */
const APP_ONLY = ['config', 'profile', 'health', 'logging', 'lifecycle', 'swagger', 'rate-limit', 'database'];

const run = promisify(execFile);

type Variant = 'esm' | 'cjs';

interface ConsumerProcess {
  url: string;
  simulatorUrl: string | null;
  child: ChildProcess;
  output(): string;
}

describe('the packed package installed into a scratch Nest app (ESM and CommonJS)', () => {
  let work: string;
  let tarballFiles: string[] = [];
  let databaseName: string;
  let databaseUrl: string;
  let admin: mysql.Connection;
  let redis: Redis;
  let ownRowsBefore: unknown[];
  const redisPrefix = testRedisPrefix('packed-consumer');
  const children: ChildProcess[] = [];
  const loggedInOpenids: string[] = [];

  beforeAll(async () => {
    // `npm test` runs `pretest` (npm run build) first, so dist/ is fresh; --ignore-scripts skips the
    // prepack build that `npm pack` would otherwise run a second time.
    if (!existsSync(join(REPO, 'dist/src/auth/index.js'))) {
      throw new Error('dist/ is missing: run through `npm test` (its pretest builds) or `npm run build`');
    }
    work = await mkdtemp(join(tmpdir(), 'weapp-auth-consumer-'));
    const packed = JSON.parse(
      (await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO)).stdout,
    ) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    const tarball = packed[0]!;
    tarballFiles = tarball.files.map((file) => file.path);

    const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const ours = (name: string) => lock.packages[`node_modules/${name}`]!.version;
    await writeJson(join(work, 'package.json'), {
      name: 'weapp-auth-consumer',
      version: '0.0.0',
      private: true,
      dependencies: {
        'weapp-auth': `file:./${tarball.filename}`,
        '@nestjs/common': CONSUMER_NEST_VERSION,
        '@nestjs/core': CONSUMER_NEST_VERSION,
        '@nestjs/platform-express': CONSUMER_NEST_VERSION,
        ...Object.fromEntries(
          [
            '@nestjs/passport',
            '@nestjs/typeorm',
            'typeorm',
            'mysql2',
            'ioredis',
            'reflect-metadata',
            'rxjs',
          ].map((name) => [name, ours(name)]),
        ),
      },
      // Types only; TypeScript itself is this repository's (see compile()).
      devDependencies: { '@types/node': ours('@types/node') },
    });
    const started = performance.now();
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], work);
    const installSeconds = (performance.now() - started) / 1000;
    await reportFootprint(work, installSeconds, tarball.size);

    await copyFile(join(TEMPLATES, 'tsconfig.consumer.json'), join(work, 'tsconfig.base.json'));
    await copyFile(join(TEMPLATES, 'trace-loads.mjs'), join(work, 'trace-loads.mjs'));
    await copyFile(join(TEMPLATES, 'trace-hooks.mjs'), join(work, 'trace-hooks.mjs'));
    for (const variant of ['esm', 'cjs'] as const) {
      const dir = join(work, variant);
      await cp(join(TEMPLATES, 'src'), join(dir, 'src'), { recursive: true });
      await writeJson(join(dir, 'package.json'), { type: variant === 'esm' ? 'module' : 'commonjs' });
      await writeJson(join(dir, 'tsconfig.json'), {
        extends: '../tsconfig.base.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist' },
        include: ['src'],
      });
    }
    await Promise.all([compile('esm'), compile('cjs')]);

    // The consumer's own database, with its own `users` table already holding rows (the table
    // as its entity's synchronize would make it), before weapp-auth ever starts there.
    admin = await mysql.createConnection(process.env.TEST_MYSQL_URL!);
    databaseName = `wxauth_consumer_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE \`${databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.query(`USE \`${databaseName}\``);
    await admin.query('SET NAMES utf8mb4');
    await admin.query(
      'CREATE TABLE `users` (`id` int NOT NULL AUTO_INCREMENT, `email` varchar(255) NOT NULL, ' +
        'PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
    for (const email of CONSUMER_EMAILS)
      await admin.query('INSERT INTO `users` (`email`) VALUES (?)', [email]);
    ownRowsBefore = await ownRows();
    const url = new URL(process.env.TEST_MYSQL_URL!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    redis = new Redis(testRedisUrl(), { lazyConnect: true });
    await redis.connect();
  }, 170_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => killAndWait(child)));
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``).catch(() => undefined);
      await admin.end();
    }
    if (redis) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    }
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  test('the tarball ships the built files of every exports entry, and none of the app-only ones', async () => {
    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; default: string }>;
    };
    const shipped = new Set(tarballFiles);
    for (const [entry, target] of Object.entries(manifest.exports)) {
      const targets = typeof target === 'string' ? [target] : [target.types, target.default];
      for (const file of targets)
        expect({ entry, file, shipped: shipped.has(file.replace(/^\.\//, '')) }).toEqual({
          entry,
          file,
          shipped: true,
        });
    }
    const strays = tarballFiles.filter(
      (file) =>
        /\.(spec|contract)\.|\.tsbuildinfo$|\.map$|\.ts$(?<!\.d\.ts)/.test(file) ||
        /^dist\/(ormconfig|src\/(main|bootstrap|app\.module))\./.test(file) ||
        APP_ONLY.some((folder) => file.startsWith(`dist/src/${folder}/`)),
    );
    expect(strays).toEqual([]);
  });

  test("the consumer has one copy of each peer, its own (@nestjs/* at the consumer's patch)", async () => {
    const installed = JSON.parse(
      await readFile(join(work, 'node_modules', '.package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, { version: string }>;
    };
    const copies = (name: string) =>
      Object.entries(installed.packages)
        .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
        .map(([path, entry]) => `${path}@${entry.version}`);
    expect(copies('@nestjs/core')).toEqual([`node_modules/@nestjs/core@${CONSUMER_NEST_VERSION}`]);
    expect(copies('@nestjs/common')).toEqual([`node_modules/@nestjs/common@${CONSUMER_NEST_VERSION}`]);
    for (const name of [
      '@nestjs/passport',
      '@nestjs/typeorm',
      'typeorm',
      'ioredis',
      'reflect-metadata',
      'rxjs',
    ]) {
      expect(copies(name)).toHaveLength(1);
    }
    // Nothing of the app's own stack comes along.
    for (const name of ['@nestjs/platform-fastify', 'fastify', 'sql.js', 'swagger-ui-dist', 'pino']) {
      expect(copies(name)).toEqual([]);
    }
  });

  test('every import in the shipped code resolves inside the tarball or to a declared dependency', async () => {
    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const shipped = new Set(tarballFiles);
    const problems: string[] = [];
    for (const file of tarballFiles.filter((path) => /\.(js|d\.ts)$/.test(path))) {
      const source = await readFile(join(REPO, file), 'utf8');
      for (const specifier of importSpecifiers(source)) {
        if (specifier.startsWith('.')) {
          const target = join(file, '..', specifier);
          const candidates = file.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
          if (!candidates.some((candidate) => shipped.has(candidate))) problems.push(`${file}: ${specifier}`);
        } else if (!specifier.startsWith('node:')) {
          const name = specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/');
          if (!declared.has(name)) problems.push(`${file}: ${specifier} (not a dependency or peer)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test.each<Variant>(['esm', 'cjs'])(
    '%s consumer: login, guarded route, no token, public route, logout, old token',
    async (variant) => {
      const app = await startConsumer(variant, 'full');
      const { code, openid } = await new SimulatorControlClient(app.simulatorUrl!).mintLoginCode({
        appid: APPID,
      });
      loggedInOpenids.push(openid);

      const login = await http('POST', `${app.url}/auth/login`, { body: { code } });
      expect({ status: login.status, body: login.body }).toMatchObject({ status: 200 });
      const token = login.body.token as string;
      expect(typeof token).toBe('string');

      const mine = await http('GET', `${app.url}/orders/mine`, { token });
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ userId: login.body.user.id, appid: APPID });

      const anonymous = await http('GET', `${app.url}/orders/mine`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('SESSION_INVALID');
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);

      expect((await http('GET', `${app.url}/catalogue`)).status).toBe(200);
      expect((await http('POST', `${app.url}/auth/logout`, { token })).status).toBe(204);
      expect((await http('GET', `${app.url}/orders/mine`, { token })).status).toBe(401);
      await stop(app);
    },
    60_000,
  );

  test('a token-only consumer (routes: false) shares sessions through Redis and loads no TypeORM or WeChat client', async () => {
    const trace = join(work, 'token-only.loads');
    const [issuer, verifier] = await Promise.all([
      startConsumer('cjs', 'full'),
      startConsumer('esm', 'token-only', ['--import', pathToFileURL(join(work, 'trace-loads.mjs')).href], {
        LOAD_TRACE: trace,
      }),
    ]);
    const mine = (token?: string) => http('GET', `${verifier.url}/orders/mine`, { token });

    const anonymous = await mine();
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('SESSION_INVALID');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const { code, openid } = await new SimulatorControlClient(issuer.simulatorUrl!).mintLoginCode({
      appid: APPID,
    });
    loggedInOpenids.push(openid);
    const login = await http('POST', `${issuer.url}/auth/login`, { body: { code } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const accepted = await mine(token);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ userId: login.body.user.id, appid: APPID });

    expect((await http('POST', `${issuer.url}/auth/logout`, { token })).status).toBe(204);
    expect((await mine(token)).status).toBe(401);

    expect((await http('GET', `${verifier.url}/catalogue`)).status).toBe(200);
    expect((await http('POST', `${verifier.url}/auth/login`, { body: { code: 'abc' } })).status).toBe(404);

    const loaded = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
    expect(loaded.some((url) => url.includes('/node_modules/weapp-auth/dist/src/auth/'))).toBe(true);
    // Allowed from weapp-auth/wechat: only the WechatApiError class (a leaf the auth errors map from).
    const unwanted = loaded.filter(
      (url) =>
        /\/node_modules\/(typeorm|@nestjs\/typeorm|mysql2|undici|@nestjs\/swagger)\//.test(url) ||
        /\/node_modules\/weapp-auth\/dist\/src\/(user|wechat-simulator|testing|auth\/openapi)\//.test(url) ||
        /\/node_modules\/weapp-auth\/dist\/src\/wechat\/(?!wechat-api\.error\.js$)/.test(url),
    );
    expect([...new Set(unwanted)]).toEqual([]);
    await Promise.all([stop(issuer), stop(verifier)]);
  }, 60_000);

  test.each<Variant>(['esm', 'cjs'])(
    '%s consumer: no session store or no secret fails at start-up with AuthModuleOptionsError',
    async (variant) => {
      const { stdout } = await run(process.execPath, ['dist/options-check.js'], {
        cwd: join(work, variant),
        env: { PATH: process.env.PATH ?? '' },
        timeout: 30_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(result.noStore).toMatchObject({ booted: false, optionsError: true });
      expect(result.noStore.message).toMatch(/no session store/);
      expect(result.noSecret).toMatchObject({ booted: false, optionsError: true });
      expect(result.noSecret.message).toMatch(/sessionKeySecret/);
    },
    30_000,
  );

  test("the consumer's own users rows are untouched; weapp-auth's users are in its own table", async () => {
    expect(await ownRows()).toEqual(ownRowsBefore);
    expect(loggedInOpenids.length).toBeGreaterThan(0);
    const [rows] = await admin.query(
      `SELECT openid FROM \`${WECHAT_USERS_TABLE}\` WHERE appid = ? AND openid IN (?)`,
      [APPID, loggedInOpenids],
    );
    expect((rows as { openid: string }[]).map((row) => row.openid).sort()).toEqual(
      [...loggedInOpenids].sort(),
    );
  });

  // --- helpers -------------------------------------------------------------------------------

  async function ownRows(): Promise<unknown[]> {
    const [rows] = await admin.query('SELECT id, email, HEX(email) AS bytes FROM `users` ORDER BY id');
    return rows as unknown[];
  }

  /** Compiles one variant with this repository's TypeScript, so none is installed into the consumer. */
  async function compile(variant: Variant): Promise<void> {
    try {
      await run(process.execPath, [TSC, '-p', join(work, variant, 'tsconfig.json')], { timeout: 120_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`tsc failed for the ${variant} consumer:\n${stdout}${stderr}`, { cause: error });
    }
  }

  /** Spawns `node dist/main.js` of a variant and waits for the JSON line with its URLs. */
  async function startConsumer(
    variant: Variant,
    mode: 'full' | 'token-only',
    nodeArgs: string[] = [],
    extraEnv: Record<string, string> = {},
  ): Promise<ConsumerProcess> {
    const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
      cwd: join(work, variant),
      env: {
        PATH: process.env.PATH ?? '',
        CONSUMER_MODE: mode,
        CONSUMER_DATABASE_URL: databaseUrl,
        CONSUMER_REDIS_URL: testRedisUrl(),
        CONSUMER_REDIS_PREFIX: redisPrefix,
        CONSUMER_SESSION_KEY_SECRET: SESSION_KEY_SECRET,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise<ConsumerProcess>((resolvePromise, reject) => {
      const timer = setTimeout(() => fail(`no URL line within 30 s`), 30_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${variant} consumer (${mode}): ${why}\n${output}`));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(`exited during start-up (${code ?? signal})`);
      child.once('exit', onExit);
      let pending = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        pending += chunk.toString();
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line.startsWith('{"url"')) continue;
          clearTimeout(timer);
          child.off('exit', onExit);
          const { url, simulatorUrl } = JSON.parse(line) as { url: string; simulatorUrl: string | null };
          resolvePromise({ url, simulatorUrl, child, output: () => output });
        }
      });
    });
  }

  /** SIGTERM (the app closes Nest, the simulator and Redis, then exits); SIGKILL if it hangs. */
  async function stop(app: ConsumerProcess): Promise<void> {
    if (app.child.exitCode !== null || app.child.signalCode !== null) return;
    const exited = new Promise((done) => app.child.once('exit', done));
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
});

/** npm with this process's npm_* lifecycle variables removed, so `npm test` settings don't leak in. */
async function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  try {
    return await run('npm', args, { cwd, env, timeout: 150_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** Module specifiers of static imports/exports, dynamic import() and type import() in JS or .d.ts. */
function importSpecifiers(source: string): string[] {
  const pattern =
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  return [...source.matchAll(pattern)].map((match) => (match[1] ?? match[2] ?? match[3])!);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(resolve(file, '..'), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
}

/**
 * Prints the consumer's install figures: the whole node_modules, and the part that is there only
 * because of weapp-auth (packages reachable from it and from none of the app's other dependencies).
 */
async function reportFootprint(work: string, installSeconds: number, tarballBytes: number): Promise<void> {
  const manifest = JSON.parse(await readFile(join(work, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const lock = JSON.parse(await readFile(join(work, 'node_modules', '.package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const roots = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
  const all = reachable(lock.packages, roots);
  const withoutUs = reachable(
    lock.packages,
    roots.filter((name) => name !== 'weapp-auth'),
  );
  const added = [...all].filter((path) => !withoutUs.has(path));
  const installed = Object.keys(lock.packages).filter((path) => path.startsWith('node_modules/'));
  let totalBytes = 0;
  for (const path of installed) totalBytes += await ownBytes(join(work, path));
  let addedBytes = 0;
  for (const path of added) addedBytes += await ownBytes(join(work, path));
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  console.log(
    [
      'packed consumer footprint:',
      `  tarball ${(tarballBytes / 1e3).toFixed(1)} kB`,
      `  npm install ${installSeconds.toFixed(1)} s (--prefer-offline)`,
      `  whole node_modules: ${installed.length} packages, ${mb(totalBytes)} MB`,
      `  added by weapp-auth: ${added.length} packages, ${mb(addedBytes)} MB: ${added
        .map((path) => path.replace(/^node_modules\//, ''))
        .join(', ')}`,
    ].join('\n'),
  );
}

/** Lockfile paths reachable from the root dependencies, resolved the way Node walks node_modules. */
function reachable(packages: Record<string, LockEntry>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (from: string, name: string): void => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      const entry = packages[candidate];
      if (entry) {
        if (seen.has(candidate)) return;
        seen.add(candidate);
        const deps = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
        for (const dep of Object.keys(deps)) visit(candidate, dep);
        return;
      }
      if (!base) return;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  for (const root of roots) visit('', root);
  return seen;
}

/** Bytes of a package's own files (apparent size), not counting packages nested in its node_modules. */
async function ownBytes(dir: string): Promise<number> {
  const stat = await lstat(dir).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' && entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await ownBytes(path) : (await lstat(path)).size;
  }
  return total;
}
