import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { requestText, TextRequestError } from './text-request.js';

// A real HTTP server on loopback whose answers go wrong in the ways WeChat's gateway can.
describe('requestText', () => {
  let server: Server;
  let pool: Pool;

  beforeAll(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case '/ok':
          res.end('{"openid":"o1","nickname":"😀"}');
          return;
        case '/hang':
          return;
        case '/cut':
          res.writeHead(200, { 'content-length': '100' });
          res.write('{"openid":');
          setTimeout(() => res.destroy(), 20);
          return;
        case '/big':
          res.end('x'.repeat(4096));
          return;
        default:
          res.statusCode = 502;
          res.end('<html>502</html>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    pool = new Pool(`http://127.0.0.1:${port}`, { maxResponseSize: 1024 });
  });

  afterAll(async () => {
    await pool.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const failure = (path: string, timeoutMs = 2000) =>
    requestText(pool, { method: 'GET', path }, timeoutMs).then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as TextRequestError,
    );

  test('collects a whole answer as UTF-8 text, with its status', async () => {
    expect(await requestText(pool, { method: 'GET', path: '/ok' }, 2000)).toEqual({
      statusCode: 200,
      text: '{"openid":"o1","nickname":"😀"}',
    });
    expect(await requestText(pool, { method: 'GET', path: '/gateway' }, 2000)).toEqual({
      statusCode: 502,
      text: '<html>502</html>',
    });
  });

  test('gives up after the total deadline, before any headers', async () => {
    const started = Date.now();
    const error = await failure('/hang', 150);
    expect(error).toBeInstanceOf(TextRequestError);
    expect(error).toMatchObject({ timedOut: true, afterHeaders: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a body broken off after the headers is reported as such', async () => {
    expect(await failure('/cut')).toMatchObject({ timedOut: false, afterHeaders: true });
  });

  test("an answer over the dispatcher's maxResponseSize fails instead of filling memory", async () => {
    const error = await failure('/big');
    expect(error.timedOut).toBe(false);
    expect((error.error as { code?: string }).code).toBe('UND_ERR_RES_EXCEEDED_MAX_SIZE');
  });
});
