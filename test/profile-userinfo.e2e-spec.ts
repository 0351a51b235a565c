import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';
import { WECHAT_ANONYMOUS_AVATAR_URLS } from '../src/profile/wechat-user-info.js';

/** What the seeds' mini program sends after wx.getUserProfile (plus the `language` it also returns). */
const SEEDS_USER_INFO = {
  nickName: '小程序用户😀',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTLkZ7example/132',
  gender: 1,
  province: 'Guangdong',
  city: 'Guangzhou',
  country: 'China',
  language: 'zh_CN',
} as const;

/** WeChat's anonymous profile, as getUserProfile has answered new releases since 2022-11-08. */
const ANONYMOUS_USER_INFO = {
  nickName: '微信用户',
  avatarUrl: WECHAT_ANONYMOUS_AVATAR_URLS[0],
  gender: 0,
  province: '',
  city: '',
  country: '',
  language: '',
} as const;

const TEXT_COLUMNS = ['nickname', 'avatar_url', 'province', 'city', 'country', 'language'] as const;
const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

describe('PUT/PATCH /users/me with WeChat userInfo (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('userinfo', { WECHAT_CONTENT_CHECK: 'true' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function newUser() {
    const openid = newOpenid();
    const response = await stack.login({ openid });
    expect(response.status).toBe(200);
    return { token: response.body.token as string, id: response.body.user.id as number, openid };
  }

  const put = (token: string, body: unknown) => http('PUT', `${stack.url}/users/me`, { token, body });
  const patch = (token: string, body: unknown) => http('PATCH', `${stack.url}/users/me`, { token, body });
  const me = (token: string) => http('GET', `${stack.url}/users/me`, { token });
  /** The stored row: gender, and HEX() of every text column (null when NULL). */
  async function row(id: number) {
    const [stored] = await stack.db.query(
      `SELECT gender, ${TEXT_COLUMNS.map((c) => `HEX(${c}) AS ${c}`).join(', ')} FROM users WHERE id = ?`,
      [id],
    );
    return stored as Record<(typeof TEXT_COLUMNS)[number] | 'gender', string | number | null>;
  }

  test("the seeds' userInfo payload verbatim is stored, answered and served by GET /users/me, each field", async () => {
    const user = await newUser();
    const other = await stack.loginToken({ openid: user.openid });

    const response = await put(user.token, SEEDS_USER_INFO);
    expect(response.status).toBe(200);
    const { nickName, ...rest } = SEEDS_USER_INFO;
    const expected = { id: user.id, nickname: nickName, ...rest };
    expect(response.body).toMatchObject(expected);

    expect(await row(user.id)).toEqual({
      gender: 1,
      nickname: hex(nickName),
      avatar_url: hex(SEEDS_USER_INFO.avatarUrl),
      province: hex('Guangdong'),
      city: hex('Guangzhou'),
      country: hex('China'),
      language: hex('zh_CN'),
    });
    // GET answers from the session cache, refreshed in every session of the user.
    for (const token of [user.token, other]) {
      const served = await me(token);
      expect(served.status).toBe(200);
      expect(served.body).toEqual({
        ...expected,
        phoneNumber: null,
        countryCode: null,
        createdAt: expect.any(String),
      });
    }
  });

  test('any subset of the userInfo fields is accepted, by PATCH as by PUT', async () => {
    const user = await newUser();
    expect((await patch(user.token, { province: 'Zhejiang' })).body).toMatchObject({
      province: 'Zhejiang',
      city: null,
    });
    const response = await patch(user.token, { nickName: 'Band', city: 'Hangzhou', language: 'en' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      nickname: 'Band',
      province: 'Zhejiang',
      city: 'Hangzhou',
      country: null,
      language: 'en',
    });
    expect((await me(user.token)).body).toMatchObject({ nickname: 'Band', city: 'Hangzhou' });
  });

  test('emoji and 4-byte characters round-trip byte-exact in every new column', async () => {
    const user = await newUser();
    const text = '𠀀😀';
    const body = {
      nickName: `Band${text}`,
      province: `省${text}`,
      city: `${text}市`,
      country: text,
      language: text,
    };
    const response = await put(user.token, body);
    expect(response.status).toBe(200);
    const stored = await row(user.id);
    for (const field of ['province', 'city', 'country', 'language'] as const) {
      expect({ field, hex: stored[field] }).toEqual({ field, hex: hex(body[field]) });
      expect(Buffer.from(response.body[field], 'utf8')).toEqual(Buffer.from(body[field], 'utf8'));
    }
    expect(stored.nickname).toBe(hex(body.nickName));
    const served = (await me(user.token)).body;
    for (const field of ['province', 'city', 'country', 'language'] as const) {
      expect(Buffer.from(served[field], 'utf8')).toEqual(Buffer.from(body[field], 'utf8'));
    }
  });

  test("WeChat's anonymous placeholders never overwrite stored values", async () => {
    const user = await newUser();
    expect((await put(user.token, SEEDS_USER_INFO)).status).toBe(200);
    const before = await row(user.id);

    const bodies: object[] = [
      ANONYMOUS_USER_INFO,
      { ...ANONYMOUS_USER_INFO, nickName: '  微信用户 ' },
      // The grey avatar over http and with another size suffix, as clients rewrite it.
      {
        nickName: '',
        avatarUrl: WECHAT_ANONYMOUS_AVATAR_URLS[0].replace('https:', 'http:').replace(/132$/, '0'),
      },
      { nickname: '微信用户', avatarUrl: '' },
      { province: '', city: ' ', country: '', language: '' },
      { nickName: '微信用户', gender: 0 },
      // WeChat's own marker of the anonymous userInfo: nothing of such a body is stored.
      { ...ANONYMOUS_USER_INFO, is_demote: true },
      { nickName: 'Not stored', city: 'Nowhere', gender: 2, is_demote: true },
    ];
    for (const body of bodies) {
      const response = await put(user.token, body);
      expect({ body, status: response.status }).toEqual({ body, status: 200 });
      expect(response.body).toMatchObject({
        nickname: SEEDS_USER_INFO.nickName,
        gender: 1,
        city: 'Guangzhou',
      });
      expect(await row(user.id)).toEqual(before);
    }
    expect((await me(user.token)).body).toMatchObject({
      nickname: SEEDS_USER_INFO.nickName,
      avatarUrl: SEEDS_USER_INFO.avatarUrl,
      gender: 1,
      province: 'Guangdong',
      language: 'zh_CN',
    });
  });

  test('a fresh user sending only the anonymous profile stores nothing: a 200 no-op with the current profile', async () => {
    const user = await newUser();
    const response = await put(user.token, ANONYMOUS_USER_INFO);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: user.id,
      nickname: null,
      avatarUrl: null,
      gender: 0,
      province: null,
      city: null,
      country: null,
      language: null,
    });
    expect(await row(user.id)).toEqual({
      gender: 0,
      nickname: null,
      avatar_url: null,
      province: null,
      city: null,
      country: null,
      language: null,
    });
  });

  test('placeholders are skipped field by field: the real values of the same body are stored', async () => {
    const user = await newUser();
    const response = await put(user.token, {
      ...ANONYMOUS_USER_INFO,
      nickName: 'Real name',
      city: 'Shenzhen',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      nickname: 'Real name',
      avatarUrl: null,
      gender: 0,
      city: 'Shenzhen',
    });
    expect(await row(user.id)).toMatchObject({
      nickname: hex('Real name'),
      avatar_url: null,
      province: null,
    });
  });

  test('gender 0 is a placeholder only in a userInfo-shaped body (one with nickName)', async () => {
    const user = await newUser();
    expect((await patch(user.token, { gender: 2 })).body.gender).toBe(2);
    expect((await patch(user.token, { nickName: 'Band', gender: 0 })).body.gender).toBe(2);
    expect((await patch(user.token, { nickname: 'Band', gender: 0 })).body.gender).toBe(0);
    expect((await row(user.id)).gender).toBe(0);
  });

  test('http avatar URLs on qlogo.cn (older userInfo) are stored as https; other http URLs are refused', async () => {
    const user = await newUser();
    const response = await put(user.token, {
      nickName: 'Band',
      avatarUrl: 'http://wx.qlogo.cn/mmopen/vi_32/abc/0',
    });
    expect(response.status).toBe(200);
    expect(response.body.avatarUrl).toBe('https://wx.qlogo.cn/mmopen/vi_32/abc/0');
    expect((await put(user.token, { avatarUrl: 'http://cdn.example.com/a.png' })).status).toBe(400);
  });

  test('unknown fields, bad values, and nickname + nickName that differ are refused with 400 VALIDATION_FAILED', async () => {
    const user = await newUser();
    expect((await put(user.token, SEEDS_USER_INFO)).status).toBe(200);
    const before = await row(user.id);
    for (const body of [
      { ...SEEDS_USER_INFO, is_demote: 'yes' },
      { ...SEEDS_USER_INFO, openId: user.openid },
      { nickName: 'Band', userId: user.id },
      { nickname: 'Band', nickName: 'Other' },
      { nickname: 'Band', nickName: '微信用户' },
      { nickName: null },
      { nickName: 42 },
      { nickName: 'bad\u0000name' },
      { province: 'x'.repeat(65) },
      { city: 'bad\nvalue' },
      { country: 'half\uD83D' },
      { language: 'x'.repeat(17) },
      { language: 7 },
      { gender: '1' },
    ]) {
      const response = await put(user.token, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const conflict = await put(user.token, { nickname: 'Band', nickName: 'Other' });
    expect(conflict.body.message).toMatch(/nickname and nickName/);
    expect(await row(user.id)).toEqual(before);
  });

  test('the same nickname in both spellings is accepted; 64 code points fit a region column, 16 the language', async () => {
    const user = await newUser();
    const response = await put(user.token, {
      nickname: 'Band',
      nickName: ' Band ',
      province: '😀'.repeat(64),
      language: '😀'.repeat(16),
    });
    expect(response.status).toBe(200);
    expect(await row(user.id)).toMatchObject({
      nickname: hex('Band'),
      province: hex('😀'.repeat(64)),
      language: hex('😀'.repeat(16)),
    });
  });

  test('POST /users/me/decrypt fills in the region of a real user-info payload, never the anonymous one', async () => {
    const decrypt = async (user: { token: string; openid: string }, payload: Record<string, unknown>) => {
      const encrypted = await stack.sim.encryptForClient({
        appid: stack.appid,
        openid: user.openid,
        payload,
      });
      const response = await http('POST', `${stack.url}/users/me/decrypt`, {
        token: user.token,
        body: encrypted,
      });
      expect(response.status).toBe(200);
    };
    const user = await newUser();
    await patch(user.token, { city: 'Mine' });
    await decrypt(user, { openId: user.openid, ...SEEDS_USER_INFO, province: '𠀀😀' });
    expect(await row(user.id)).toMatchObject({
      province: hex('𠀀😀'),
      city: hex('Mine'),
      country: hex('China'),
      language: hex('zh_CN'),
    });

    const anonymous = await newUser();
    await decrypt(anonymous, { openId: anonymous.openid, ...ANONYMOUS_USER_INFO });
    await decrypt(anonymous, { openId: anonymous.openid, ...ANONYMOUS_USER_INFO, nickName: 'Band' });
    expect(await row(anonymous.id)).toEqual({
      gender: 0,
      nickname: hex('Band'),
      avatar_url: null,
      province: null,
      city: null,
      country: null,
      language: null,
    });
  });

  test('the OpenAPI document describes both spellings and the placeholders', async () => {
    const document = (await http('GET', `${stack.url}/docs-json`)).body;
    const properties = document.components.schemas.UpdateProfileDto.properties;
    for (const field of [
      'nickname',
      'nickName',
      'avatarUrl',
      'gender',
      'province',
      'city',
      'country',
      'language',
    ]) {
      expect({ field, documented: field in properties }).toEqual({ field, documented: true });
    }
    expect(properties.nickName.description).toMatch(/userInfo/);
    const put = document.paths['/users/me'].put;
    for (const placeholder of ['微信用户', WECHAT_ANONYMOUS_AVATAR_URLS[0], '`gender` 0']) {
      expect(put.description).toContain(placeholder);
      expect(document.paths['/users/me'].patch.description).toContain(placeholder);
    }
    for (const field of ['province', 'city', 'country', 'language']) {
      expect(document.components.schemas.UserProfileDto.properties[field]).toMatchObject({ nullable: true });
    }
  });

  test('null removes a region field; a nickName goes through the content check like a nickname', async () => {
    const user = await newUser();
    await put(user.token, SEEDS_USER_INFO);
    expect((await patch(user.token, { province: null })).body).toMatchObject({
      province: null,
      city: 'Guangzhou',
    });
    await stack.sim.setSensitiveWords(['forbiddenword']);
    try {
      const rejected = await put(user.token, { ...SEEDS_USER_INFO, nickName: 'my ForbiddenWord' });
      expect(rejected.status).toBe(422);
      expect(rejected.body.code).toBe('NICKNAME_REJECTED');
    } finally {
      await stack.sim.setSensitiveWords([]);
    }
    expect((await me(user.token)).body.nickname).toBe(SEEDS_USER_INFO.nickName);
  });
});
