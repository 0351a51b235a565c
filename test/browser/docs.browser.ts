/**
 * Browser check of the Swagger UI: `npm run test:browser`.
 *
 * Builds the real app on the embedded development defaults (SQLite in a temp dir, in-process
 * sessions; no MariaDB, Redis or WeChat needed to render docs), opens /docs in Debian's headless
 * chromium through playwright-core, checks that every operation of /docs-json is listed with its
 * method and path and that the bearer scheme is offered, and saves test-artifacts/docs.png.
 * Exits non-zero on any failure. Kept out of jest: it needs a browser binary.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../src/bootstrap.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = resolve('test-artifacts/docs.png');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-docs-'));
  // The development defaults, whatever the caller's shell holds.
  for (const key of Object.keys(process.env)) {
    if (/^(DATABASE_URL|REDIS_|WECHAT_|SESSION_|SWAGGER_|AVATAR_|PUBLIC_BASE_URL)/.test(key))
      delete process.env[key];
  }
  Object.assign(process.env, {
    NODE_ENV: 'development',
    SQLITE_PATH: join(dir, 'docs.sqlite'),
    AVATAR_DIR: join(dir, 'avatars'),
    LOG_LEVEL: 'warn',
  });

  const app = await createApp();
  let browser: Browser | undefined;
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const document = (await (await fetch(`${url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const expected = Object.entries(document.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    if (!expected.includes('GET /users/me') || !expected.includes('POST /auth/login')) {
      throw new Error(`/docs-json lacks core routes: ${expected.join(', ')}`);
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${url}/docs`, { waitUntil: 'load' });
    await page.waitForSelector('.opblock-summary', { timeout: 20_000 });

    const listed = (
      await page.$$eval('.opblock-summary', (summaries) =>
        summaries.map((summary) => {
          const method = summary.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
          const pathElement = summary.querySelector('.opblock-summary-path');
          const path = pathElement?.getAttribute('data-path') ?? pathElement?.textContent?.trim() ?? '';
          return `${method.toUpperCase()} ${path.replace(/\u200b/g, '')}`;
        }),
      )
    ).sort();
    const missing = expected.filter((route) => !listed.includes(route));
    const unexpected = listed.filter((route) => !expected.includes(route));
    const authorize = await page.locator('button.authorize').count();
    const title = await page.locator('.info .title').first().textContent();

    mkdirSync(resolve('test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const problems = [
      ...missing.map((route) => `not listed in the UI: ${route}`),
      ...unexpected.map((route) => `listed but not in /docs-json: ${route}`),
      ...(authorize === 0 ? ['no Authorize button (bearer scheme missing)'] : []),
      ...(title?.includes('weapp-auth') ? [] : [`unexpected title: ${title}`]),
      ...pageErrors.map((message) => `page error: ${message}`),
    ];
    if (problems.length > 0) throw new Error(problems.join('\n'));
    console.log(`docs.browser: ${listed.length} operations listed in /docs; screenshot ${SCREENSHOT}`);
  } finally {
    await browser?.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('docs.browser FAILED:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
