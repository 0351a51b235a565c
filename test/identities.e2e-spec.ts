import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

// One person across WeChat (issue 19): the linking rules of README "One person across WeChat", through
// POST /auth/login on the real app, MariaDB, Redis and the simulator.

const OPEN_PLATFORM = 'identities-open-platform';
/** Two mini programs bound to one Open Platform account: one unionid per person across them. */
const SHOP = { ...DEFAULT_SIMULATOR_APP, openPlatformId: OPEN_PLATFORM };
const SERVICE = { appid: 'wx00000000000019b2', secret: 'b2'.repeat(16), openPlatformId: OPEN_PLATFORM };
/** Mini programs bound to the Open Platform account later, each test its own (binding is one-way). */
const LATE = ['wx00000000000019c1', 'wx00000000000019c2', 'wx00000000000019c3'].map((appid) => ({
  appid,
  secret: appid.slice(-2).repeat(16),
}));
const ALL = [SHOP, SERVICE, ...LATE];

const ALICE = 'alice-identities-credential-0123456789';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newUnionid = () => 'oU' + randomBytes(14).toString('base64url').slice(0, 26);
/** The value `read` settles on within a second (for effects that follow an answer). */
async function eventually<T>(read: () => Promise<T>): Promise<T> {
  let value = await read();
  for (let i = 0; i < 20 && !value; i++) {
    await sleep(50);
    value = await read();
  }
  return value;
}
const newPhone = () => '139' + String(10_000_000 + Math.floor(Math.random() * 89_999_999));

describe('one person across WeChat apps', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(
      'identities',
      {
        WECHAT_APPID: ALL.map(({ appid }) => appid).join(','),
        WECHAT_SECRET: ALL.map(({ secret }) => secret).join(','),
        OPERATOR_CREDENTIALS: `alice:${sha256(ALICE)}`,
      },
      { apps: ALL },
    );
  });

  afterAll(async () => {
    await stack.close();
  });

  /** A wx.login in `appid` for this openid (and unionid), posted with `extra` body fields. */
  const login = async (
    appid: string,
    openid: string,
    { unionid, ...extra }: { unionid?: string; phoneCode?: string; merge?: boolean } = {},
  ) => {
    const { code } = await stack.sim.mintLoginCode({ appid, openid, unionid });
    return http('POST', `${stack.url}/auth/login`, { body: { code, appid, ...extra } });
  };
  const loggedIn = async (appid: string, openid: string, options: { unionid?: string } = {}) => {
    const response = await login(appid, openid, options);
    expect(response.status).toBe(200);
    return { id: response.body.user.id as number, token: response.body.token as string };
  };
  const me = (token: string) => http('GET', `${stack.url}/users/me`, { token });
  const exported = (token: string) => http('GET', `${stack.url}/users/me/export`, { token });
  const phoneCode = async (appid: string, openid: string, phoneNumber: string) =>
    (await stack.sim.mintPhoneCode({ appid, openid, phoneNumber })).code;
  const usersWith = async (column: 'unionid' | 'pure_phone_number', value: string) =>
    (await stack.db.query(`SELECT id FROM users WHERE ${column} = ? ORDER BY id`, [value])) as {
      id: number;
    }[];
  const identitiesOf = async (userId: number) =>
    (await stack.db.query('SELECT appid, openid, kind FROM users_identities WHERE user_id = ? ORDER BY id', [
      userId,
    ])) as { appid: string; openid: string; kind: string }[];

  test('two mini programs with one unionid are one person with two identities', async () => {
    const unionid = newUnionid();
    const [shopOpenid, serviceOpenid] = [newOpenid(), newOpenid()];
    const inShop = await loggedIn(SHOP.appid, shopOpenid, { unionid });
    const inService = await loggedIn(SERVICE.appid, serviceOpenid, { unionid });
    expect(inService.id).toBe(inShop.id);
    expect(await identitiesOf(inShop.id)).toEqual([
      { appid: SHOP.appid, openid: shopOpenid, kind: 'mini_program' },
      { appid: SERVICE.appid, openid: serviceOpenid, kind: 'mini_program' },
    ]);
    expect(await usersWith('unionid', unionid)).toEqual([{ id: inShop.id }]);

    // Each session knows its identity: the export names the app and openid of the session that asks.
    const fromService = await exported(inService.token);
    expect(fromService.status).toBe(200);
    expect(fromService.body.wechat).toEqual({ appid: SERVICE.appid, openid: serviceOpenid, unionid });
    expect(fromService.body.identities).toEqual([
      expect.objectContaining({ appid: SHOP.appid, openid: shopOpenid, kind: 'mini_program' }),
      expect.objectContaining({ appid: SERVICE.appid, openid: serviceOpenid, kind: 'mini_program' }),
    ]);
    // A profile change reaches the person's sessions in every app.
    const patched = await http('PATCH', `${stack.url}/users/me`, {
      token: inService.token,
      body: { nickname: '同一个人' },
    });
    expect(patched.status).toBe(200);
    const sessionsInShop = await http('GET', `${stack.url}/auth/sessions`, { token: inShop.token });
    expect(sessionsInShop.status).toBe(200);
    expect((await me(inShop.token)).body.nickname).toBe('同一个人');
  });

  test('a unionid that appears later joins the person and then links the other app', async () => {
    const late = LATE[0];
    const openid = newOpenid();
    const before = await loggedIn(late.appid, openid);
    expect(await stack.db.query('SELECT unionid FROM users WHERE id = ?', [before.id])).toEqual([
      { unionid: null },
    ]);

    // The mini program is bound to the Open Platform account: its logins now carry a unionid.
    await stack.sim.registerApp({ ...late, openPlatformId: OPEN_PLATFORM });
    const unionid = newUnionid();
    const after = await loggedIn(late.appid, openid, { unionid });
    expect(after.id).toBe(before.id);
    expect(await usersWith('unionid', unionid)).toEqual([{ id: before.id }]);

    const inShop = await loggedIn(SHOP.appid, newOpenid(), { unionid });
    expect(inShop.id).toBe(before.id);
  });

  test('a phone login joins the person who owns that verified number', async () => {
    const phone = newPhone();
    const shopOpenid = newOpenid();
    const owner = await loggedIn(SHOP.appid, shopOpenid);
    const bound = await http('POST', `${stack.url}/users/me/phone`, {
      token: owner.token,
      body: { code: await phoneCode(SHOP.appid, shopOpenid, phone) },
    });
    expect(bound.status).toBe(200);

    // Another mini program, another unionid: only the phone number links them.
    const openid = newOpenid();
    const response = await login(SERVICE.appid, openid, {
      phoneCode: await phoneCode(SERVICE.appid, openid, phone),
    });
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(owner.id);
    expect(response.body.user.phoneNumber).toBe(phone);
    expect((await identitiesOf(owner.id)).map(({ appid }) => appid)).toEqual([SHOP.appid, SERVICE.appid]);

    // A first login with a phone nobody owns creates the person with that number bound.
    const fresh = newPhone();
    const newcomer = newOpenid();
    const created = await login(SERVICE.appid, newcomer, {
      phoneCode: await phoneCode(SERVICE.appid, newcomer, fresh),
    });
    expect(created.status).toBe(200);
    expect(await usersWith('pure_phone_number', fresh)).toEqual([{ id: created.body.user.id }]);
  });

  test('evidence pointing at two persons is 409 ACCOUNT_CONFLICT and nothing changes; merge: true joins them', async () => {
    const late = LATE[1];
    const unionid = newUnionid();
    const lateOpenid = newOpenid();
    // Person 1: known in `late` before it was bound, so without a unionid; a nickname of its own.
    const first = await loggedIn(late.appid, lateOpenid);
    await http('PATCH', `${stack.url}/users/me`, { token: first.token, body: { nickname: 'first' } });
    // Person 2: the same human in the service mini program, with the unionid and a bound phone.
    const serviceOpenid = newOpenid();
    const second = await loggedIn(SERVICE.appid, serviceOpenid, { unionid });
    const phone = newPhone();
    await http('POST', `${stack.url}/users/me/phone`, {
      token: second.token,
      body: { code: await phoneCode(SERVICE.appid, serviceOpenid, phone) },
    });
    expect(second.id).not.toBe(first.id);

    await stack.sim.registerApp({ ...late, openPlatformId: OPEN_PLATFORM });
    const conflict = await login(late.appid, lateOpenid, { unionid });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({
      statusCode: 409,
      code: 'ACCOUNT_CONFLICT',
      message: expect.any(String),
      requestId: expect.any(String),
      conflict: {
        mergeable: true,
        accounts: [
          {
            matchedBy: ['identity'],
            apps: [{ appid: late.appid, kind: 'mini_program' }],
            createdAt: expect.any(String),
          },
          {
            matchedBy: ['unionid'],
            apps: [{ appid: SERVICE.appid, kind: 'mini_program' }],
            createdAt: expect.any(String),
          },
        ],
      },
    });
    expect(conflict.text).not.toContain(phone);
    // Nothing merged: both persons, their identities and sessions are as they were.
    expect((await me(first.token)).body).toMatchObject({
      id: first.id,
      nickname: 'first',
      phoneNumber: null,
    });
    expect((await me(second.token)).body).toMatchObject({ id: second.id, phoneNumber: phone });
    expect(await identitiesOf(first.id)).toHaveLength(1);
    expect(await identitiesOf(second.id)).toHaveLength(1);
    expect(await usersWith('unionid', unionid)).toEqual([{ id: second.id }]);

    // The person confirms: the same login with merge: true.
    const merged = await login(late.appid, lateOpenid, { unionid, merge: true });
    expect(merged.status).toBe(200);
    const survivor = Math.min(first.id, second.id);
    expect(merged.body.user).toMatchObject({ id: survivor, nickname: 'first', phoneNumber: phone });
    expect(await stack.db.query('SELECT id FROM users WHERE id IN (?, ?)', [first.id, second.id])).toEqual([
      { id: survivor },
    ]);
    expect((await identitiesOf(survivor)).map(({ appid }) => appid).sort()).toEqual(
      [late.appid, SERVICE.appid].sort(),
    );
    // The merged person's session moved: the same token now answers as the survivor.
    const movedSession = await me(second.token);
    expect(movedSession.status).toBe(200);
    expect(movedSession.body).toMatchObject({ id: survivor, nickname: 'first', phoneNumber: phone });
    const listed = await http('GET', `${stack.url}/auth/sessions`, { token: second.token });
    expect(listed.body).toHaveLength(1);
    // The survivor's own earlier session shows the merged profile too (the phone came with the merge).
    await expect(eventually(async () => (await me(first.token)).body.phoneNumber)).resolves.toBe(phone);
    // Audited, with the merged user's id.
    await sleep(400); // the audit trail writes in batches every 250 ms
    const [event] = (await stack.db.query(
      "SELECT user_id, detail FROM audit_events WHERE kind = 'accounts.merged' AND user_id = ?",
      [survivor],
    )) as { user_id: number; detail: string }[];
    expect(JSON.parse(event.detail)).toEqual({ mergedUserIds: String(Math.max(first.id, second.id)) });
  });

  test('two WeChat accounts in one app never merge: the phone of another account in the same app is 409, not mergeable', async () => {
    const phone = newPhone();
    const ownerOpenid = newOpenid();
    const owner = await loggedIn(SHOP.appid, ownerOpenid);
    await http('POST', `${stack.url}/users/me/phone`, {
      token: owner.token,
      body: { code: await phoneCode(SHOP.appid, ownerOpenid, phone) },
    });
    const other = newOpenid();
    for (const merge of [false, true]) {
      const response = await login(SHOP.appid, other, {
        phoneCode: await phoneCode(SHOP.appid, other, phone),
        merge,
      });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'ACCOUNT_CONFLICT', conflict: { mergeable: false } });
    }
    expect(await identitiesOf(owner.id)).toEqual([
      { appid: SHOP.appid, openid: ownerOpenid, kind: 'mini_program' },
    ]);
    expect(await stack.db.query('SELECT user_id FROM users_identities WHERE openid = ?', [other])).toEqual(
      [],
    );
  });

  test('concurrent first logins of one person from two apps end as one person', async () => {
    for (let round = 0; round < 10; round++) {
      const unionid = newUnionid();
      const [a, b] = await Promise.all([
        login(SHOP.appid, newOpenid(), { unionid }),
        login(SERVICE.appid, newOpenid(), { unionid }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body.user.id).toBe(a.body.user.id);
      expect(await usersWith('unionid', unionid)).toEqual([{ id: a.body.user.id }]);
    }
  });

  test('an operator merges two persons; sessions, identities and the missing fields move', async () => {
    const credential = { authorization: `Bearer ${ALICE}` };
    const keep = await loggedIn(SHOP.appid, newOpenid());
    const goneOpenid = newOpenid();
    const gone = await loggedIn(LATE[2].appid, goneOpenid);
    await http('PATCH', `${stack.url}/users/me`, {
      token: gone.token,
      body: { nickname: 'gone', gender: 2 },
    });

    const response = await http('POST', `${stack.url}/admin/users/${keep.id}/merge`, {
      headers: credential,
      body: { fromUserId: gone.id },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: keep.id, nickname: 'gone' });
    expect(response.body.identities.map(({ appid }: { appid: string }) => appid)).toEqual([
      SHOP.appid,
      LATE[2].appid,
    ]);
    expect((await me(gone.token)).body).toMatchObject({ id: keep.id, nickname: 'gone', gender: 2 });
    const again = await loggedIn(LATE[2].appid, goneOpenid);
    expect(again.id).toBe(keep.id);

    // Two persons with an identity in the same app cannot be merged.
    const a = await loggedIn(SHOP.appid, newOpenid());
    const b = await loggedIn(SHOP.appid, newOpenid());
    const refused = await http('POST', `${stack.url}/admin/users/${a.id}/merge`, {
      headers: credential,
      body: { fromUserId: b.id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT_CONFLICT', conflict: { mergeable: false } });
    expect((await me(b.token)).body.id).toBe(b.id);

    // A banned person is never merged: that would lift the ban or suspend the other's sessions.
    const c = await loggedIn(SERVICE.appid, newOpenid());
    const banned = await http('POST', `${stack.url}/admin/users/${c.id}/ban`, {
      headers: credential,
      body: { reason: 'spam' },
    });
    expect(banned.status).toBe(200);
    const withBanned = await http('POST', `${stack.url}/admin/users/${a.id}/merge`, {
      headers: credential,
      body: { fromUserId: c.id },
    });
    expect(withBanned.status).toBe(409);
    expect(withBanned.body).toMatchObject({ code: 'ACCOUNT_CONFLICT', conflict: { mergeable: false } });
    expect((await me(a.token)).status).toBe(200);

    for (const body of [{ fromUserId: a.id }, { fromUserId: 'x' }, {}]) {
      const bad = await http('POST', `${stack.url}/admin/users/${a.id}/merge`, { headers: credential, body });
      expect(bad.status).toBe(400);
    }
    const missing = await http('POST', `${stack.url}/admin/users/${a.id}/merge`, {
      headers: credential,
      body: { fromUserId: 2_000_000_000 },
    });
    expect(missing.status).toBe(404);
  });

  test('deleting the account ends the sessions in every app the person used', async () => {
    const unionid = newUnionid();
    const inShop = await loggedIn(SHOP.appid, newOpenid(), { unionid });
    const inService = await loggedIn(SERVICE.appid, newOpenid(), { unionid });
    const deleted = await http('DELETE', `${stack.url}/users/me`, { token: inShop.token });
    expect(deleted.status).toBe(204);
    expect((await me(inService.token)).status).toBe(401);
    expect(await identitiesOf(inShop.id)).toEqual([]);
  });
});
