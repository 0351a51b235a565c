import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptForClient } from '../src/wechat-simulator/simulator-crypto.js';
import { http } from './support/http.js';
import { avatarFileOf, testImage } from './support/images.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

const TWO_MB = 2 * 1024 * 1024;

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

describe('/users/me (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  const avatarDir = mkdtempSync(join(tmpdir(), 'weapp-avatars-'));

  beforeAll(async () => {
    stack = await startTestStack('profile', { AVATAR_DIR: avatarDir, WECHAT_CONTENT_CHECK: 'true' });
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(avatarDir, { recursive: true, force: true });
  });

  /** A fresh user: token, id and openid. */
  async function newUser(options: { unionid?: string } = {}) {
    const openid = newOpenid();
    const response = await stack.login({ openid, ...options });
    expect(response.status).toBe(200);
    return { token: response.body.token as string, id: response.body.user.id as number, openid };
  }

  const patch = (token: string, body: unknown) => http('PATCH', `${stack.url}/users/me`, { token, body });
  const me = (token: string) => http('GET', `${stack.url}/users/me`, { token });
  const nicknameHex = async (id: number) =>
    (await stack.db.query('SELECT HEX(nickname) AS hex FROM users WHERE id = ?', [id]))[0].hex as
      string | null;

  describe('GET and PATCH', () => {
    test('GET answers from the session cache: no identifiers, and a row changed behind its back is not seen', async () => {
      const user = await newUser();
      await stack.db.query('UPDATE users SET nickname = ? WHERE id = ?', ['changed in SQL', user.id]);
      const response = await me(user.token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: user.id,
        nickname: null,
        avatarUrl: null,
        gender: 0,
        province: null,
        city: null,
        country: null,
        language: null,
        phoneNumber: null,
        countryCode: null,
        createdAt: expect.any(String),
      });
      expect(response.text).not.toMatch(/openid|unionid|session_?key/i);
      expect(response.text).not.toContain(user.openid);
    });

    test('an emoji nickname round-trips byte-exact: trimmed, in the answer, in MariaDB and in every session', async () => {
      const user = await newUser();
      const other = await stack.loginToken({ openid: user.openid });
      const nickname = '😀👨‍👩‍👧𠀀テスト❤️';

      const response = await patch(user.token, { nickname: `  ${nickname}\u3000` });
      expect(response.status).toBe(200);
      expect(Buffer.from(response.body.nickname, 'utf8')).toEqual(Buffer.from(nickname, 'utf8'));
      expect(await nicknameHex(user.id)).toBe(hex(nickname));
      const cached = await me(other);
      expect(Buffer.from(cached.body.nickname, 'utf8')).toEqual(Buffer.from(nickname, 'utf8'));
    });

    test('PUT /users/me (what wx.request can send: it has no PATCH) behaves exactly like PATCH', async () => {
      const user = await newUser();
      const put = await http('PUT', `${stack.url}/users/me`, {
        token: user.token,
        body: { nickname: ' 小明 ', gender: 2 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ nickname: '小明', gender: 2 });
      expect(
        (await http('PUT', `${stack.url}/users/me`, { token: user.token, body: { openid: 'x' } })).status,
      ).toBe(400);
    });

    test('32 code points are accepted (4-byte emoji included); 33 are refused', async () => {
      const user = await newUser();
      expect((await patch(user.token, { nickname: '😀'.repeat(32) })).status).toBe(200);
      expect(await nicknameHex(user.id)).toBe(hex('😀'.repeat(32)));

      const tooLong = await patch(user.token, { nickname: '字'.repeat(33) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/32/) });
      expect(await nicknameHex(user.id)).toBe(hex('😀'.repeat(32)));
    });

    test('variation-selector padding, control characters, lone surrogates and blanks are refused', async () => {
      const user = await newUser();
      for (const nickname of [
        '❤' + '\uFE0F'.repeat(5),
        '\uFE0Fabc',
        'bad\u0000name',
        'tab\tname',
        'x\u007F',
        'half\uD83D',
        '   ',
      ]) {
        const response = await patch(user.token, { nickname });
        expect({ nickname, status: response.status, code: response.body.code }).toEqual({
          nickname,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect(await nicknameHex(user.id)).toBeNull();
    });

    test('avatarUrl must be https, gender 0|1|2, and identity fields in body or query are refused', async () => {
      const user = await newUser();
      const ok = await patch(user.token, { avatarUrl: 'https://cdn.example.com/a.png', gender: 2 });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ avatarUrl: 'https://cdn.example.com/a.png', gender: 2 });

      for (const body of [
        { avatarUrl: 'http://cdn.example.com/a.png' },
        { avatarUrl: 'javascript:alert(1)' },
        { gender: 3 },
        { gender: '1' },
        { nickname: 42 },
        { nickname: null },
        { openid: user.openid },
        { userId: user.id + 1, nickname: 'x' },
      ]) {
        const response = await patch(user.token, body);
        expect({ body, status: response.status, code: response.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      for (const query of [`?openid=${user.openid}`, `?userId=${user.id + 1}`]) {
        const patched = await http('PATCH', `${stack.url}/users/me${query}`, {
          token: user.token,
          body: { gender: 1 },
        });
        expect(patched.status).toBe(400);
        expect(patched.body.code).toBe('QUERY_NOT_ALLOWED');
        const read = await http('GET', `${stack.url}/users/me${query}`, { token: user.token });
        expect(read.body.code).toBe('QUERY_NOT_ALLOWED');
      }
      expect((await me(user.token)).body).toMatchObject({
        avatarUrl: 'https://cdn.example.com/a.png',
        gender: 2,
      });
    });

    test('without a token every route answers 401', async () => {
      for (const [method, path] of [
        ['GET', '/users/me'],
        ['PATCH', '/users/me'],
        ['POST', '/users/me/avatar'],
        ['POST', '/users/me/phone'],
        ['POST', '/users/me/decrypt'],
        ['POST', '/auth/session-key/check'],
      ]) {
        const response = await http(method, `${stack.url}${path}`, method === 'GET' ? {} : { body: {} });
        expect({ path, status: response.status, code: response.body.code }).toEqual({
          path,
          status: 401,
          code: 'SESSION_INVALID',
        });
      }
    });

    test('the content check refuses a configured word with 422 and stores nothing', async () => {
      const user = await newUser();
      await stack.sim.setSensitiveWords(['forbiddenword']);
      try {
        const rejected = await patch(user.token, { nickname: 'my ForbiddenWord 😀' });
        expect(rejected.status).toBe(422);
        expect(rejected.body).toMatchObject({ statusCode: 422, code: 'NICKNAME_REJECTED' });
        expect(await nicknameHex(user.id)).toBeNull();

        expect((await patch(user.token, { nickname: 'fine 😀' })).status).toBe(200);
        const checks = (await stack.sim.requests()).filter((r) => r.path === '/wxa/msg_sec_check');
        expect(checks.at(-1)?.body).toMatchObject({
          content: 'fine 😀',
          scene: 1,
          version: 2,
          openid: user.openid,
        });
      } finally {
        await stack.sim.setSensitiveWords([]);
      }
    });

    test('a content check WeChat cannot answer fails closed with 503', async () => {
      const user = await newUser();
      await stack.sim.injectFault({ api: 'msg_sec_check', type: 'errcode', errcode: -1, times: 2 });
      const response = await patch(user.token, { nickname: 'anyone' });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('WECHAT_UNAVAILABLE');
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect(await nicknameHex(user.id)).toBeNull();
    });
  });

  describe('POST /users/me/avatar', () => {
    const upload = (token: string, bytes: Buffer, filename = 'avatar.png', type = 'image/png') => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
      return fetch(`${stack.url}/users/me/avatar`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
    };

    test('stores the re-encoded image under its sha256, serves it back, and points avatarUrl at it', async () => {
      const user = await newUser();
      const response = await upload(user.token, await testImage());
      expect(response.status).toBe(200);
      const body = (await response.json()) as { avatarUrl: string };
      const name = avatarFileOf(body.avatarUrl);
      expect(body.avatarUrl).toMatch(new RegExp(`^${stack.url}/avatars/[0-9a-f]{64}\\.jpg$`));
      const onDisk = readFileSync(join(avatarDir, name));
      expect(`${createHash('sha256').update(onDisk).digest('hex')}.jpg`).toBe(name);

      const served = await fetch(body.avatarUrl);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(served.headers.get('cache-control')).toMatch(/immutable/);
      expect(Buffer.from(await served.arrayBuffer())).toEqual(onDisk);
      expect((await me(user.token)).body.avatarUrl).toBe(body.avatarUrl);
      const [row] = await stack.db.query('SELECT avatar_url AS url FROM users WHERE id = ?', [user.id]);
      expect(row.url).toBe(body.avatarUrl);
    });

    test('the type comes from the bytes, not from the file name or the declared type', async () => {
      const user = await newUser();
      const response = await upload(
        user.token,
        await testImage({ format: 'jpeg' }),
        'photo.gif',
        'text/plain',
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as { avatarUrl: string }).avatarUrl).toMatch(
        /\/avatars\/[0-9a-f]{64}\.jpg$/,
      );

      const disguised = await upload(
        user.token,
        Buffer.from('GIF89a' + 'x'.repeat(50)),
        'avatar.png',
        'image/png',
      );
      expect(disguised.status).toBe(415);
      expect(await disguised.json()).toMatchObject({ code: 'AVATAR_UNSUPPORTED_TYPE' });
      const svg = await upload(user.token, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.png');
      expect(svg.status).toBe(415);
    });

    test('2 MB is accepted; one byte more is 413', async () => {
      const user = await newUser();
      const png = await testImage();
      const exact = Buffer.concat([png, Buffer.alloc(TWO_MB - png.length)]);
      expect((await upload(user.token, exact)).status).toBe(200);

      const before = (await me(user.token)).body.avatarUrl;
      const tooLarge = await upload(user.token, Buffer.concat([exact, Buffer.alloc(1)]));
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toMatchObject({ code: 'AVATAR_TOO_LARGE' });
      expect((await me(user.token)).body.avatarUrl).toBe(before);
    });

    test('a request without a file part is 400 AVATAR_MISSING', async () => {
      const user = await newUser();
      const json = await http('POST', `${stack.url}/users/me/avatar`, {
        token: user.token,
        body: { file: 'x' },
      });
      expect(json.status).toBe(400);
      expect(json.body.code).toBe('AVATAR_MISSING');

      const form = new FormData();
      form.append('note', 'no file here');
      const fieldsOnly = await fetch(`${stack.url}/users/me/avatar`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}` },
        body: form,
      });
      expect(fieldsOnly.status).toBe(400);
      expect(await fieldsOnly.json()).toMatchObject({ code: 'AVATAR_MISSING' });
    });

    test('only stored avatars are served: no listing, no other files', async () => {
      expect((await fetch(`${stack.url}/avatars/`)).status).toBe(404);
      expect((await fetch(`${stack.url}/avatars/${'0'.repeat(64)}.png`)).status).toBe(404);
      expect((await fetch(`${stack.url}/avatars/..%2fpackage.json`)).status).toBe(404);
    });
  });

  describe('POST /users/me/phone', () => {
    const bind = (token: string, code: string) =>
      http('POST', `${stack.url}/users/me/phone`, { token, body: { code } });

    test('binds the number WeChat verified for this user', async () => {
      const user = await newUser();
      const { code } = await stack.sim.mintPhoneCode({
        appid: stack.appid,
        openid: user.openid,
        phoneNumber: '13800138000',
      });
      const response = await bind(user.token, code);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ phoneNumber: '13800138000', countryCode: '86' });
      const [row] = await stack.db.query(
        'SELECT phone_number AS phone, pure_phone_number AS pure, country_code AS cc FROM users WHERE id = ?',
        [user.id],
      );
      expect(row).toEqual({ phone: '13800138000', pure: '13800138000', cc: '86' });
      expect((await me(user.token)).body.phoneNumber).toBe('13800138000');
      const call = (await stack.sim.requests())
        .filter((r) => r.path === '/wxa/business/getuserphonenumber')
        .at(-1);
      expect(call?.body).toMatchObject({ code, openid: user.openid });
    });

    test('a non-mainland number keeps its country code apart', async () => {
      const user = await newUser();
      const { code } = await stack.sim.mintPhoneCode({
        appid: stack.appid,
        openid: user.openid,
        phoneNumber: '91234567',
        countryCode: '852',
      });
      const response = await bind(user.token, code);
      expect(response.body).toMatchObject({ phoneNumber: '+85291234567', countryCode: '852' });
    });

    test('a code minted for another user, a reused code and an unknown code are 400 PHONE_CODE_INVALID', async () => {
      const alice = await newUser();
      const bob = await newUser();
      const { code: bobsCode } = await stack.sim.mintPhoneCode({
        appid: stack.appid,
        openid: bob.openid,
        phoneNumber: '13900139000',
      });
      const stolen = await bind(alice.token, bobsCode);
      expect(stolen.status).toBe(400);
      expect(stolen.body.code).toBe('PHONE_CODE_INVALID');

      const { code } = await stack.sim.mintPhoneCode({
        appid: stack.appid,
        openid: alice.openid,
        phoneNumber: '13700137000',
      });
      expect((await bind(alice.token, code)).status).toBe(200);
      const reused = await bind(alice.token, code);
      expect(reused.status).toBe(400);
      expect(reused.body.code).toBe('PHONE_CODE_INVALID');
      expect((await bind(alice.token, 'f'.repeat(64))).body.code).toBe('PHONE_CODE_INVALID');
      expect((await bind(alice.token, 'not a code!')).body.code).toBe('VALIDATION_FAILED');
      expect((await me(bob.token)).body.phoneNumber).toBeNull();
    });

    test('other upstream outcomes follow the login mapping', async () => {
      const user = await newUser();
      const { code } = await stack.sim.mintPhoneCode({
        appid: stack.appid,
        openid: user.openid,
        phoneNumber: '13600136000',
      });
      await stack.sim.injectFault({ api: 'getuserphonenumber', type: 'errcode', errcode: 45011 });
      const limited = await bind(user.token, code);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('WECHAT_RATE_LIMITED');
      expect(limited.headers.get('retry-after')).toBe('60');

      await stack.sim.injectFault({ api: 'getuserphonenumber', type: 'errcode', errcode: 48001 });
      const noPermission = await bind(user.token, code);
      expect(noPermission.status).toBe(502);
      expect(noPermission.body.code).toBe('WECHAT_BAD_GATEWAY');
      expect(noPermission.text).not.toContain('13600136000');
    });
  });

  describe('POST /users/me/decrypt', () => {
    const decrypt = (token: string, body: object) =>
      http('POST', `${stack.url}/users/me/decrypt`, { token, body });

    /**
     * Encrypts arbitrary bytes with the user's current key: 16-byte PKCS#7, or with `lenient32` the 17–32
     * bytes of padding some SDKs' 32-byte routine would accept and strict decryption must not.
     */
    async function encryptRaw(openid: string, plaintext: Buffer, lenient32 = false) {
      const key = (await stack.sim.getSessionKey(stack.appid, openid))!.sessionKey;
      const n = 16 - (plaintext.length % 16) + (lenient32 ? 16 : 0);
      const padded = Buffer.concat([plaintext, Buffer.alloc(n, n)]);
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-128-cbc', Buffer.from(key, 'base64'), iv).setAutoPadding(false);
      return {
        encryptedData: Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64'),
        iv: iv.toString('base64'),
      };
    }

    test('decrypts a user-info payload and stores only what the user lacks', async () => {
      const user = await newUser();
      await stack.db.query('UPDATE users SET unionid = NULL WHERE id = ?', [user.id]);
      await patch(user.token, { gender: 2 });
      const unionid = 'oUnion' + randomBytes(16).toString('base64url').slice(0, 22);
      const payload = {
        openId: user.openid,
        unionId: unionid,
        nickName: 'Band 😀',
        gender: 1,
        language: 'zh_CN',
        city: 'Guangzhou',
        province: 'Guangdong',
        country: 'CN',
        avatarUrl: 'http://wx.qlogo.cn/mmopen/vi_32/abc/132',
      };
      const encrypted = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: user.openid,
        payload,
      });

      const response = await decrypt(user.token, encrypted);
      expect(response.status).toBe(200);
      const { openId: _o, unionId: _u, ...visible } = payload;
      expect(response.body).toEqual(visible);
      expect(response.text).not.toContain(user.openid);
      expect(response.text).not.toContain(unionid);

      const [row] = await stack.db.query(
        'SELECT unionid, nickname, avatar_url AS avatarUrl, gender FROM users WHERE id = ?',
        [user.id],
      );
      expect(row).toEqual({
        unionid,
        nickname: 'Band 😀',
        avatarUrl: 'https://wx.qlogo.cn/mmopen/vi_32/abc/132',
        gender: 2,
      });
      expect((await me(user.token)).body).toMatchObject({ nickname: 'Band 😀', gender: 2 });
    });

    test('a known unionid and chosen nickname are never overwritten; the anonymous placeholder is not stored', async () => {
      const user = await newUser({ unionid: 'oUnionKept' + randomBytes(9).toString('hex') });
      const [{ unionid }] = await stack.db.query('SELECT unionid FROM users WHERE id = ?', [user.id]);
      await patch(user.token, { nickname: 'Mine' });
      const encrypted = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: user.openid,
        payload: { openId: user.openid, unionId: 'oOtherUnion', nickName: 'Theirs', gender: 1 },
      });
      expect((await decrypt(user.token, encrypted)).status).toBe(200);

      const anonymous = await newUser();
      const placeholder = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: anonymous.openid,
        payload: {
          openId: anonymous.openid,
          nickName: '微信用户',
          gender: 0,
          avatarUrl: 'https://thirdwx.qlogo.cn/x/132',
        },
      });
      expect((await decrypt(anonymous.token, placeholder)).status).toBe(200);

      const rows = await stack.db.query(
        'SELECT id, unionid, nickname, avatar_url AS a FROM users WHERE id IN (?, ?)',
        [user.id, anonymous.id],
      );
      expect(rows.find((r: any) => r.id === user.id)).toMatchObject({ unionid, nickname: 'Mine' });
      expect(rows.find((r: any) => r.id === anonymous.id)).toMatchObject({ nickname: null, a: null });
    });

    test('every failure is the same 400 DECRYPT_FAILED', async () => {
      const user = await newUser();
      const watermark = () => ({ timestamp: Math.floor(Date.now() / 1000), appid: stack.appid });
      const key = (await stack.sim.getSessionKey(stack.appid, user.openid))!.sessionKey;
      const good = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: user.openid,
        payload: { openId: user.openid, nickName: 'n', gender: 0 },
      });
      expect((await decrypt(user.token, good)).status).toBe(200);

      const json = (value: unknown) => Buffer.from(JSON.stringify(value));
      const cases: Record<string, object> = {
        'padding to 32-byte blocks': await encryptRaw(
          user.openid,
          json({ nickName: 'n', watermark: watermark() }),
          true,
        ),
        'not JSON': await encryptRaw(user.openid, Buffer.from('definitely not json')),
        'JSON but not an object': await encryptRaw(user.openid, json(['watermark'])),
        'watermark of another app': await encryptRaw(
          user.openid,
          json({ watermark: { ...watermark(), appid: 'wx00000000000000aa' } }),
        ),
        'no watermark': await encryptRaw(user.openid, json({ nickName: 'n' })),
        'watermark an hour old': await encryptRaw(
          user.openid,
          json({ watermark: { ...watermark(), timestamp: watermark().timestamp - 3600 } }),
        ),
        'data about another openid': encryptForClient(
          { openId: newOpenid() },
          key,
          randomBytes(16),
          watermark(),
        ),
        'signature mismatch': { ...good, signature: 'f'.repeat(40) },
        'rawData altered': { ...good, rawData: good.rawData.replace('"n"', '"m"') },
        'iv not base64': { ...good, iv: '!!!!' },
        'truncated ciphertext': { ...good, encryptedData: good.encryptedData.slice(0, 20) },
      };
      // A wx.login the backend never saw rotates the key at WeChat: data from then on is stale for us.
      const rotated = await newUser();
      await stack.sim.mintLoginCode({ appid: stack.appid, openid: rotated.openid });
      const staleData = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: rotated.openid,
        payload: { nickName: 'x' },
      });
      const noKey = await newUser();
      await stack.redis.del(`${stack.redisPrefix}user:{${stack.appid}:${noKey.id}}:session-key`);

      const answers = [
        ...(await Promise.all(
          Object.entries(cases).map(async ([name, body]) => ({
            name,
            response: await decrypt(user.token, body),
          })),
        )),
        { name: 'stale session_key', response: await decrypt(rotated.token, staleData) },
        { name: 'no stored session_key', response: await decrypt(noKey.token, good) },
      ];
      for (const { name, response } of answers) {
        expect({ name, status: response.status, body: response.body }).toEqual({
          name,
          status: 400,
          body: {
            statusCode: 400,
            code: 'DECRYPT_FAILED',
            message: expect.stringMatching(/wx\.login/),
            requestId: expect.any(String),
          },
        });
      }
      // Byte-identical apart from the request id: nothing tells one failure from another.
      const withoutRequestId = answers.map(({ response }) =>
        response.text.replace(/"requestId":"[^"]+"/, ''),
      );
      expect(new Set(withoutRequestId).size).toBe(1);
    });

    test('rawData without signature (or the reverse) is a validation error', async () => {
      const user = await newUser();
      const response = await decrypt(user.token, { encryptedData: 'AAAA', iv: 'AAAA', rawData: '{}' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('POST /auth/session-key/check', () => {
    const check = (token: string) => http('POST', `${stack.url}/auth/session-key/check`, { token });

    test('valid after login, invalid once WeChat rotated the key or none is stored', async () => {
      const user = await newUser();
      const fresh = await check(user.token);
      expect(fresh.status).toBe(200);
      expect(fresh.body).toEqual({ valid: true });

      await stack.sim.mintLoginCode({ appid: stack.appid, openid: user.openid });
      expect((await check(user.token)).body).toEqual({ valid: false });

      const keyless = await newUser();
      await stack.redis.del(`${stack.redisPrefix}user:{${stack.appid}:${keyless.id}}:session-key`);
      await stack.sim.clearRequests();
      expect((await check(keyless.token)).body).toEqual({ valid: false });
      expect(await stack.sim.requests()).toEqual([]);
    });

    test('WeChat failures map like the login', async () => {
      const user = await newUser();
      await stack.sim.injectFault({ api: 'checksession', type: 'http502' });
      const response = await check(user.token);
      expect(response.status).toBe(502);
      expect(response.body.code).toBe('WECHAT_BAD_GATEWAY');
    });
  });
});
