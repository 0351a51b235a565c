import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AVATAR_MAX_BYTES } from '../src/profile/avatar.constants.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

/** Small, so the tests are quick; production defaults to 30 s (REQUEST_TIMEOUT_MS). */
const TIMEOUT_MS = 2000;
/** Node checks for expired requests every TIMEOUT_MS / 10 here; the rest is scheduling slack. */
const MARGIN_MS = 1500;
/** Without a timeout the server keeps such a connection as long as the client likes: stop waiting here. */
const GIVE_UP_MS = 10_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BOUNDARY = 'slow-client-boundary';

interface Outcome {
  /** When the server closed the connection, ms after the request started; null: still open at GIVE_UP_MS. */
  closedAfterMs: number | null;
  /** What the server wrote back before closing. */
  response: string;
}

interface RawRequest {
  head: string;
  /** Sent right after the head. */
  start?: Buffer;
  /** Then one byte every this many ms (none: the client stalls). */
  byteEveryMs?: number;
  /** Called once everything before the trickle is flushed. */
  onSent?: () => void;
}

/** A client over a bare socket that sends a request as slowly as it likes and never finishes it. */
function slowRequest(url: string, request: RawRequest): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(Number(port), hostname);
    let response = '';
    let trickle: NodeJS.Timeout | undefined;
    const finish = (closedAfterMs: number | null): void => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ closedAfterMs, response });
    };
    const giveUp = setTimeout(() => finish(null), GIVE_UP_MS);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server has cut us off
    socket.on('close', () => finish(Date.now() - started));
    socket.write(request.head);
    socket.write(request.start ?? Buffer.alloc(0), () => {
      request.onSent?.();
      if (request.byteEveryMs) {
        trickle = setInterval(() => {
          if (socket.writable) socket.write(' ');
        }, request.byteEveryMs);
      }
    });
  });
}

function loginHead(): string {
  return (
    'POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    'Content-Length: 100\r\n\r\n'
  );
}

/** A wx.uploadFile-shaped upload that declares the largest allowed file and sends `fileBytes` of it. */
function avatarUpload(token: string, fileBytes: number): Pick<RawRequest, 'head' | 'start'> {
  const partHead =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="avatar.png"\r\n` +
    'Content-Type: image/png\r\n\r\n';
  const body = Buffer.concat([Buffer.from(partHead), PNG_SIGNATURE, Buffer.alloc(fileBytes - 8, 7)]);
  return {
    head:
      `POST /users/me/avatar HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      `Content-Length: ${partHead.length + AVATAR_MAX_BYTES + 64}\r\n\r\n`,
    start: body,
  };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A full garbage collection, so "before" and "after" count only what is still referenced. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('slow clients are cut off after REQUEST_TIMEOUT_MS', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    // Rate limits off: fifty uploads from one session are the point here, not a 429.
    stack = await startTestStack('slow-clients', {
      REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_ENABLED: 'false',
    });
    token = await stack.loginToken();
  });

  afterAll(async () => {
    await stack.close();
  });

  const expectCutOff = (outcome: Outcome): void => {
    expect(outcome.closedAfterMs).not.toBeNull();
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(outcome.closedAfterMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
  };

  test('a login body trickled one byte per 200 ms gets 408 and a closed connection', async () => {
    expectCutOff(
      await slowRequest(stack.url, { head: loginHead(), start: Buffer.from('{'), byteEveryMs: 200 }),
    );
  }, 20_000);

  test('a login that sends its headers and then nothing gets 408 and a closed connection', async () => {
    expectCutOff(await slowRequest(stack.url, { head: loginHead() }));
  }, 20_000);

  test('an avatar upload trickled one byte per 200 ms after its first kilobyte gets 408', async () => {
    expectCutOff(await slowRequest(stack.url, { ...avatarUpload(token, 1024), byteEveryMs: 200 }));
  }, 20_000);

  test('fifty stalled uploads of nearly 2 MB each are all cut off, and their memory is released', async () => {
    const count = 50;
    const fileBytes = AVATAR_MAX_BYTES - 64 * 1024;
    collectGarbage();
    const before = process.memoryUsage();
    let peak = before;
    let peakBuffers = before.arrayBuffers;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      if (now.rss > peak.rss) peak = now;
      peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
    }, 50);
    // One body shared by all fifty clients, so the figures are the server's, not the test's.
    const upload = avatarUpload(token, fileBytes);
    let sent = 0;
    const outcomes = await Promise.all(
      Array.from({ length: count }, () => slowRequest(stack.url, { ...upload, onSent: () => sent++ })),
    );
    clearInterval(sample);
    // Let the closed requests settle (sockets are destroyed asynchronously, later under load), then
    // count what is still referenced: a full GC every 200 ms until the buffers are released, for up to 5 s.
    const released = (peakBuffers - before.arrayBuffers) / 4;
    let after = process.memoryUsage();
    for (let attempt = 0; attempt < 25; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      collectGarbage();
      after = process.memoryUsage();
      if (after.arrayBuffers - before.arrayBuffers < released) break;
    }
    const figures = (usage: NodeJS.MemoryUsage) =>
      `rss ${mb(usage.rss)}, heap ${mb(usage.heapUsed)}, buffers ${mb(usage.arrayBuffers)}`;
    console.log(
      `${count} stalled avatar uploads of ${mb(fileBytes)} each (${sent} fully sent), server and ` +
        `clients in this process:\n  before: ${figures(before)}\n  peak:   ${figures(peak)} ` +
        `(+${mb(peak.rss - before.rss)} rss, +${mb(peak.arrayBuffers - before.arrayBuffers)} buffers)\n` +
        `  after the timeout (and a full GC): ${figures(after)}`,
    );
    for (const outcome of outcomes) {
      expect(outcome.closedAfterMs).not.toBeNull();
      expect(outcome.closedAfterMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS + 2000);
    }
    // What the uploads held is released once they are cut off (a memory figure, not a timing).
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(released);
    // The service still answers normally afterwards.
    await expect(stack.loginToken()).resolves.toEqual(expect.any(String));
  }, 30_000);
});
