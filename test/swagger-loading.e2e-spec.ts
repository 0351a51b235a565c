import { describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { startAppProcess } from './support/app-process.js';
import { killAndWait } from './support/child-process.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './support/test-services.js';
import { PRODUCTION_TEST_APP, TEST_SESSION_KEY_SECRET } from './support/test-stack.js';

const RECORDER = resolve('test/support/module-url-recorder.js');
/** What Swagger brings along: itself, and what only it uses (js-yaml, the UI assets). */
const SWAGGER_MODULES = /\/node_modules\/(@nestjs\/swagger|js-yaml|swagger-ui-dist)\//;
/** What class-validator's index brings and the app's validation does not use (http/class-validator.ts). */
const VALIDATION_INDEX_MODULES =
  /\/node_modules\/(class-validator\/cjs\/index\.js|validator\/index\.js|libphonenumber-js\/)/;
/** Fastify's validator compiler, which no route of the app needs (http/lazy-schema-compilers.ts). */
const VALIDATOR_COMPILER_MODULES = /\/node_modules\/@fastify\/ajv-compiler\//;
/** The directory of each Ajv copy loaded (fast-json-stringify and ajv-formats use it). */
const AJV_COPY = /^(.*\/node_modules\/ajv)\//;

/**
 * Starts the built server in production, hits the docs and readiness routes, stops it, and returns
 * the status of /docs-json and, of the modules the process resolved, those each check looks for.
 */
async function modulesLoaded(env: Record<string, string>): Promise<{
  docs: number;
  loaded: string[];
  validationIndex: string[];
  validatorCompiler: string[];
  ajvCopies: string[];
}> {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-swagger-loading-'));
  const log = join(dir, 'modules.log');
  const app = await startAppProcess({
    NODE_ENV: 'production',
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: `${testRedisPrefix('swagger-loading')}${randomBytes(3).toString('hex')}:`,
    WECHAT_APPID: DEFAULT_SIMULATOR_APP.appid,
    WECHAT_SECRET: PRODUCTION_TEST_APP.secret,
    SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
    PUBLIC_BASE_URL: 'https://api.example.com',
    NODE_OPTIONS: `--import=${RECORDER}`,
    MODULE_URL_LOG: log,
    ...env,
  });
  try {
    const docs = (await fetch(`${app.url}/docs-json`)).status;
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    const resolved = readFileSync(log, 'utf8').split('\n');
    return {
      docs,
      loaded: resolved.filter((url) => SWAGGER_MODULES.test(url)),
      validationIndex: resolved.filter((url) => VALIDATION_INDEX_MODULES.test(url)),
      validatorCompiler: resolved.filter((url) => VALIDATOR_COMPILER_MODULES.test(url)),
      ajvCopies: [...new Set(resolved.map((url) => AJV_COPY.exec(url)?.[1]).filter(Boolean))] as string[],
    };
  } finally {
    await killAndWait(app.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('what the production build loads: @nestjs/swagger only when the docs are served', () => {
  test("production (docs off): never loaded; nor class-validator's index, validator.js, libphonenumber-js or Fastify's validator compiler; one Ajv", async () => {
    const { docs, loaded, validationIndex, validatorCompiler, ajvCopies } = await modulesLoaded({});
    expect(docs).toBe(404);
    expect(loaded).toEqual([]);
    expect(validationIndex).toEqual([]);
    expect(validatorCompiler).toEqual([]);
    // package.json pins Ajv 8 at the top of node_modules so that its users share one copy.
    expect(ajvCopies).toEqual([pathToFileURL(resolve('node_modules/ajv')).href]);
  });

  test('SWAGGER_ENABLED=true: loaded, and the document served', async () => {
    const { docs, loaded } = await modulesLoaded({ SWAGGER_ENABLED: 'true' });
    expect(docs).toBe(200);
    expect(loaded).toEqual(expect.arrayContaining([expect.stringContaining('/@nestjs/swagger/')]));
  });
});
