import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/wechat-simulator.options.js';
import { http } from './support/http.js';
import { avatarFileOf, pngDeclaring, testImage } from './support/images.js';
import { newOpenid, PRODUCTION_TEST_APP, startTestStack, type TestStack } from './support/test-stack.js';

// Issue 15, point 1: what an avatar upload may put on disk and serve.

/** POST /users/me/avatar as wx.uploadFile sends it. */
function upload(stack: TestStack, token: string, bytes: Buffer, type = 'image/png') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'avatar');
  return fetch(`${stack.url}/users/me/avatar`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

async function newUser(stack: TestStack) {
  const openid = newOpenid();
  const response = await stack.login({ openid });
  expect(response.status).toBe(200);
  return { token: response.body.token as string, id: response.body.user.id as number, openid };
}

const avatarFileColumn = async (stack: TestStack, userId: number) =>
  (await stack.db.query('SELECT avatar_file AS file FROM users WHERE id = ?', [userId]))[0].file as
    string | null;

describe('avatar uploads (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  const avatarDir = mkdtempSync(join(tmpdir(), 'weapp-avatars-'));
  const stored = () => readdirSync(avatarDir).sort();

  beforeAll(async () => {
    stack = await startTestStack('avatars', {
      AVATAR_DIR: avatarDir,
      AVATAR_MAX_DIMENSION: '1000',
      RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR: '4',
    });
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(avatarDir, { recursive: true, force: true });
  });

  async function uploadOk(token: string, bytes: Buffer, type?: string): Promise<string> {
    const response = await upload(stack, token, bytes, type);
    expect(response.status).toBe(200);
    return ((await response.json()) as { avatarUrl: string }).avatarUrl;
  }

  test('every upload is re-encoded to a 256 px square JPEG: trailing payloads and metadata are gone', async () => {
    const payload = '<html><script>alert(document.cookie)</script></html>';
    const polyglots = [
      ['image/png', Buffer.concat([await testImage({ format: 'png' }), Buffer.from(payload)])],
      ['image/webp', Buffer.concat([await testImage({ format: 'webp' }), Buffer.from(payload)])],
    ] as const;
    const withGps = await sharp(await testImage({ format: 'jpeg', width: 640, height: 480 }))
      .withExif({
        IFD0: { Copyright: 'exif-canary' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 27/1' },
      })
      .jpeg()
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();

    for (const [type, bytes] of [...polyglots, ['image/jpeg', withGps] as const]) {
      const user = await newUser(stack);
      const avatarUrl = await uploadOk(user.token, bytes, type);
      const file = avatarFileOf(avatarUrl);
      expect(file).toMatch(/^[0-9a-f]{64}\.jpg$/);
      const onDisk = readFileSync(join(avatarDir, file));
      expect(createHash('sha256').update(onDisk).digest('hex')).toBe(file.slice(0, 64));
      expect(onDisk.includes('<script')).toBe(false);
      expect(onDisk.includes('exif-canary')).toBe(false);
      const image = await sharp(onDisk).metadata();
      expect({ format: image.format, width: image.width, height: image.height }).toEqual({
        format: 'jpeg',
        width: 256,
        height: 256,
      });
      expect(image.exif).toBeUndefined();
      expect(await avatarFileColumn(stack, user.id)).toBe(file);

      const served = await fetch(avatarUrl);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(served.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await served.arrayBuffer())).toEqual(onDisk);
    }
  });

  test('bytes that do not decode as a whole image are 415 and store nothing', async () => {
    const user = await newUser(stack);
    const before = stored();
    const png = await testImage({ format: 'png' });
    for (const bytes of [
      Buffer.concat([png.subarray(0, 8), randomBytes(4096)]), // a PNG signature, then noise
      png.subarray(0, png.length - 40), // cut off before its last chunks
      Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), randomBytes(512)]), // a JPEG start, then noise
    ]) {
      const response = await upload(stack, user.token, bytes);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'AVATAR_UNSUPPORTED_TYPE' });
    }
    expect(stored()).toEqual(before);
    expect(await avatarFileColumn(stack, user.id)).toBeNull();
  });

  test('declared dimensions past AVATAR_MAX_DIMENSION are 422 before decoding; up to it is fine', async () => {
    const user = await newUser(stack);
    const before = stored();
    for (const bomb of [pngDeclaring(100_000, 100_000), pngDeclaring(1001, 10)]) {
      const response = await upload(stack, user.token, bomb);
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        code: 'AVATAR_DIMENSIONS_TOO_LARGE',
        message: expect.stringContaining('1000 pixels'),
      });
    }
    expect(stored()).toEqual(before);
    await uploadOk(user.token, await testImage({ width: 1000, height: 10 }));
  });

  test('a user holds one stored avatar: a new one replaces the file, a shared file stays with its other user', async () => {
    const alice = await newUser(stack);
    const bob = await newUser(stack);
    const first = avatarFileOf(await uploadOk(alice.token, await testImage()));
    const second = avatarFileOf(await uploadOk(alice.token, await testImage()));
    expect(existsSync(join(avatarDir, first))).toBe(false);
    expect(existsSync(join(avatarDir, second))).toBe(true);

    // Bob uploads the same picture: one file, two users. Alice moving on leaves it to Bob.
    const shared = await testImage();
    const sharedFile = avatarFileOf(await uploadOk(alice.token, shared));
    expect(avatarFileOf(await uploadOk(bob.token, shared))).toBe(sharedFile);
    expect(existsSync(join(avatarDir, second))).toBe(false);
    const elsewhere = await http('PATCH', `${stack.url}/users/me`, {
      token: alice.token,
      body: { avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132' },
    });
    expect(elsewhere.status).toBe(200);
    expect(await avatarFileColumn(stack, alice.id)).toBeNull();
    expect(existsSync(join(avatarDir, sharedFile))).toBe(true);

    // Bob removing his avatar lets go of the last reference.
    const removed = await http('PATCH', `${stack.url}/users/me`, {
      token: bob.token,
      body: { avatarUrl: null },
    });
    expect(removed.status).toBe(200);
    expect(existsSync(join(avatarDir, sharedFile))).toBe(false);
    expect(stored().filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('uploads per user and hour are limited (RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR), on every device', async () => {
    const user = await newUser(stack);
    const otherDevice = await stack.loginToken({ openid: user.openid });
    for (let i = 0; i < 3; i++) await uploadOk(user.token, await testImage());
    // Refused uploads count too: each still costs a parse.
    expect((await upload(stack, otherDevice, Buffer.from('not an image'))).status).toBe(415);
    const refused = await upload(stack, otherDevice, await testImage());
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    // Nothing else of the user's is limited, and other users upload as before.
    expect((await http('GET', `${stack.url}/users/me`, { token: user.token })).status).toBe(200);
    await uploadOk((await newUser(stack)).token, await testImage());
  });
});

describe('avatar storage policy', () => {
  const avatarDir = mkdtempSync(join(tmpdir(), 'weapp-avatars-'));
  afterAll(() => rmSync(avatarDir, { recursive: true, force: true }));

  test('below AVATAR_MIN_FREE_MB free on the avatar volume: 507 AVATAR_STORAGE_FULL, nothing written', async () => {
    // A petabyte: more than any test machine has free.
    const stack = await startTestStack('avatars-full', {
      AVATAR_DIR: avatarDir,
      AVATAR_MIN_FREE_MB: '1000000000',
    });
    try {
      const user = await newUser(stack);
      const response = await upload(stack, user.token, await testImage());
      expect(response.status).toBe(507);
      expect(await response.json()).toMatchObject({ code: 'AVATAR_STORAGE_FULL' });
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect(readdirSync(avatarDir)).toEqual([]);
      expect(await avatarFileColumn(stack, user.id)).toBeNull();
    } finally {
      await stack.close();
    }
  });

  test('AVATAR_UPLOADS_ENABLED=false: 403 AVATAR_UPLOADS_DISABLED, nothing written', async () => {
    const stack = await startTestStack('avatars-off', {
      AVATAR_DIR: avatarDir,
      AVATAR_UPLOADS_ENABLED: 'false',
    });
    try {
      const response = await upload(stack, (await newUser(stack)).token, await testImage());
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'AVATAR_UPLOADS_DISABLED' });
      expect(readdirSync(avatarDir)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  test('in production, avatar URLs come from PUBLIC_BASE_URL, whatever Host the upload names', async () => {
    const stack = await startTestStack(
      'avatars-production',
      {
        NODE_ENV: 'production',
        AVATAR_DIR: avatarDir,
        WECHAT_SECRET: PRODUCTION_TEST_APP.secret,
        PUBLIC_BASE_URL: 'https://img.example.com/app/',
      },
      { apps: [{ ...DEFAULT_SIMULATOR_APP, secret: PRODUCTION_TEST_APP.secret }] },
    );
    try {
      const user = await newUser(stack);
      const { status, body } = await uploadWithHost(
        stack.url,
        user.token,
        await testImage(),
        'attacker.example:8080',
      );
      expect(status).toBe(200);
      expect(JSON.parse(body).avatarUrl).toMatch(
        /^https:\/\/img\.example\.com\/app\/avatars\/[0-9a-f]{64}\.jpg$/,
      );
    } finally {
      await stack.close();
    }
  });
});

/** A multipart upload with a Host header of our choosing (fetch does not let a caller set Host). */
function uploadWithHost(
  baseUrl: string,
  token: string,
  bytes: Buffer,
  host: string,
): Promise<{ status: number; body: string }> {
  const boundary = `----weapp${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        method: 'POST',
        path: '/users/me/avatar',
        headers: {
          host,
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
