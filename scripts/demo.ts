/**
 * `npm run demo`: plays one mini-program session from the terminal through the built client package
 * (client/dist, what a mini program `require`s), printing every step and its HTTP exchange.
 *
 * The `wx` object is scripts/node-wx.ts: its `wx.login` mints codes from the WeChat simulator's
 * control API, so the server must run on its embedded defaults (`npm start` in another terminal). It
 * also plays WeChat's privacy gate, so the demo shows the app's consent popup being refused, then agreed.
 * DEMO_BASE_URL, DEMO_SIMULATOR_URL and DEMO_APPID override the defaults below.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ClientPackage from '../client/src/index.js';
import { ANONYMOUS_USER_INFO, NodeWx, type WxHttpExchange } from './node-wx.js';

const BASE_URL = process.env.DEMO_BASE_URL ?? 'http://127.0.0.1:3000';
const SIMULATOR_URL = process.env.DEMO_SIMULATOR_URL ?? 'http://127.0.0.1:3001';
const APPID = process.env.DEMO_APPID ?? 'wx0123456789abcdef';
const NICKNAME = '小明😀';
/** What `wx.getUserProfile` answered before 2022-11, and what the seeds' design saves. */
const SEED_USER_INFO: WechatMiniprogram.UserInfo = {
  nickName: '小程序用户😀',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTLdemo/132',
  gender: 1,
  province: 'Guangdong',
  city: 'Guangzhou',
  country: 'China',
  language: 'zh_CN',
};
const PHONE_NUMBER = '13800138000';
/** A 1×1 PNG: what `<button open-type="chooseAvatar">` would hand over as a temp file. */
const AVATAR_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const BODY_PREVIEW = 160;

/** Logs the non-HTTP wx calls too, so the output shows the whole mini-program side. */
class DemoWx extends NodeWx {
  override login(option: WechatMiniprogram.LoginOption): void {
    super.login({
      ...option,
      success: (result) => {
        line(`wx.login → code ${short(result.code)}`);
        option.success?.(result);
      },
    });
  }

  override checkSession(option: WechatMiniprogram.CheckSessionOption): void {
    super.checkSession({
      ...option,
      success: (result) => {
        line('wx.checkSession → ok');
        option.success?.(result);
      },
      fail: (error) => {
        line('wx.checkSession → fail (no live WeChat session on this device)');
        option.fail?.(error);
      },
    });
  }

  override getUserProfile(option: WechatMiniprogram.GetUserProfileOption): void {
    super.getUserProfile({
      ...option,
      success: (result) => {
        line(`wx.getUserProfile → userInfo ${preview(result.userInfo)}`);
        option.success?.(result);
      },
    });
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  if (!(await reachable())) return 1;
  const { createAuthClient, AuthClientError } = loadClientPackage();

  console.log('weapp-auth demo: one mini-program session through the client package (client/dist)');
  console.log(`  server    ${BASE_URL}`);
  console.log(`  simulator ${SIMULATOR_URL} (stands in for WeChat and the WeChat app), appid ${APPID}`);

  const wx = new DemoWx({
    simulatorUrl: SIMULATOR_URL,
    appid: APPID,
    userAgent: 'weapp-auth-demo (iPhone; MicroMessenger/8.0.50) miniProgram',
    onExchange: printExchange,
    // The app declares personal data in its privacy guide, and this user has not agreed yet.
    privacyConsentNeeded: true,
    userInfo: SEED_USER_INFO,
  });
  const client = createAuthClient({ baseUrl: BASE_URL, appid: APPID, wx });
  const missing: string[] = [];

  // The app's privacy popup (examples/miniprogram/components/privacy-popup): this user refuses the first
  // time and agrees the second.
  const answers: Array<'agree' | 'disagree'> = ['disagree', 'agree'];
  client.privacy.onNeedConsent(async ({ referrer, reportExposure }) => {
    reportExposure();
    const answer = answers.shift() ?? 'agree';
    line(`privacy popup (asked by ${referrer}) → the user taps "${answer}"`);
    if (answer === 'disagree') return { event: 'disagree' };
    wx.tapAgreePrivacyButton('agree-btn'); // <button id="agree-btn" open-type="agreePrivacyAuthorization">
    return { event: 'agree', buttonId: 'agree-btn' };
  });

  /** Runs one step; a route the server doesn't have yet is reported, not fatal. */
  const step = async (title: string, run: () => Promise<string>): Promise<void> => {
    console.log(`\n${title}`);
    try {
      line(`✓ ${await run()}`);
    } catch (error) {
      if (error instanceof AuthClientError && error.status === 404 && error.code === 'NOT_FOUND') {
        missing.push(title);
        line('– not available yet: this server does not have that route');
        return;
      }
      throw error;
    }
  };

  let token = '';
  await step('1. Silent login on app launch: client.ensureLogin()', async () => {
    const session = await client.ensureLogin();
    token = session.token;
    return `logged in as user #${session.user.id}; token ${short(session.token)} kept in wx storage`;
  });

  await step(
    '2. A phone-number tap before consent: the privacy popup, refused → client.getPhoneNumber() fails',
    async () => {
      const event = await wx.phoneNumberEvent(PHONE_NUMBER);
      const error = await client.getPhoneNumber(event).then(
        () => {
          throw new Error('getPhoneNumber succeeded without consent');
        },
        (e: unknown) => e as InstanceType<typeof AuthClientError>,
      );
      if (error.code !== 'PRIVACY_NOT_AUTHORIZED') throw error;
      return `${error.code} (“${error.message}”), nothing sent to the server`;
    },
  );

  await step(
    '3. The seeds’ sequence on the next launch: wx.checkSession → wx.login → server login → wx.getUserProfile → userInfo saved with the token',
    async () => {
      wx.expireWechatSession(); // WeChat dropped the session_key since the last launch
      const session = await client.ensureLogin();
      token = session.token;
      const user = await client.saveWechatUserInfo({ desc: '用于完善用户资料' });
      return `stored: ${user.nickname}, gender ${user.gender}, ${user.city}/${user.province}/${user.country}, ${user.language}`;
    },
  );

  await step(
    '4. Today WeChat answers getUserProfile with the anonymous placeholder: client.saveWechatUserInfo()',
    async () => {
      wx.userInfo = { ...ANONYMOUS_USER_INFO };
      const user = await client.saveWechatUserInfo();
      const kept = user.nickname === SEED_USER_INFO.nickName && user.province === SEED_USER_INFO.province;
      if (!kept) throw new Error(`the placeholder overwrote the profile: ${JSON.stringify(user)}`);
      return `placeholder ignored: still ${user.nickname}, ${user.province}`;
    },
  );

  await step(`5. The 2022+ nickname: <input type="nickname"> → client.updateProfile()`, async () => {
    const nickname = await wx.nicknameInput(NICKNAME); // consent was given in step 3: no popup
    const user = await client.updateProfile({ nickname });
    if (user.nickname !== NICKNAME)
      throw new Error(`nickname came back as ${JSON.stringify(user.nickname)}, not ${NICKNAME}`);
    return `nickname is now ${user.nickname} (${Buffer.byteLength(NICKNAME)} UTF-8 bytes, round trip exact)`;
  });

  await step('6. The 2022+ avatar: <button open-type="chooseAvatar"> → client.uploadAvatar()', async () => {
    const tempFilePath = join(tmpdir(), 'weapp-auth-demo-avatar.png');
    await writeFile(tempFilePath, Buffer.from(AVATAR_PNG, 'base64'));
    const event = await wx.chooseAvatarEvent(tempFilePath);
    const user = await client.uploadAvatar(event.detail.avatarUrl);
    return `avatarUrl ${user.avatarUrl}`;
  });

  await step(
    '7. Bind a phone number from <button open-type="getPhoneNumber">: client.getPhoneNumber()',
    async () => {
      const event = await wx.phoneNumberEvent(PHONE_NUMBER);
      line(`getPhoneNumber button → detail.code ${short(event.detail.code)} (minted by the simulator)`);
      const user = await client.getPhoneNumber(event);
      return `phone +${user.countryCode} ${user.phoneNumber} bound`;
    },
  );

  await step('8. List this user’s sessions (devices): client.listSessions()', async () => {
    const sessions = await client.listSessions();
    return `${sessions.length} session(s); current one: ${sessions.find((s) => s.current)?.id ?? 'none'}`;
  });

  await step('9. Settings → “Export my data”: client.exportData()', async () => {
    const data = await client.exportData();
    return `profile, phone, WeChat ids, ${data.sessions.length} session(s), created ${data.createdAt}`;
  });

  await step(
    '10. Settings → “Delete my account” (after a confirmation modal): client.deleteAccount()',
    async () => {
      await client.deleteAccount();
      const stale = await fetch(`${BASE_URL}/users/me`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await stale.json()) as { code?: string };
      return `account deleted; local session cleared (${client.getSession() === null ? 'storage empty' : 'STILL STORED'}); the old token now gets ${stale.status} ${body.code}`;
    },
  );

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\nDone in ${seconds} s: wx.login ×${wx.calls.login}, wx.request ×${wx.calls.request}, wx.uploadFile ×${wx.calls.uploadFile}, privacy popups ×${wx.privacyLog.filter((e) => e.outcome !== 'exposure').length}.`,
  );
  if (missing.length > 0)
    console.log(`Not available on this server yet: ${missing.length} step(s) (see above).`);
  return 0;
}

/** The package as a mini program gets it: its package.json `main`, compiled to CommonJS. */
function loadClientPackage(): typeof ClientPackage {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'client', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (client/package.json)');
    dir = parent;
  }
  return createRequire(import.meta.url)(join(dir, 'client')) as typeof ClientPackage;
}

async function reachable(): Promise<boolean> {
  const probe = async (url: string) => {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };
  const [server, simulator] = await Promise.all([
    probe(`${BASE_URL}/health/live`),
    probe(`${SIMULATOR_URL}/__sim/requests`),
  ]);
  if (server && simulator) return true;
  console.error(
    [
      server
        ? `The WeChat simulator's control API is not reachable at ${SIMULATOR_URL}.`
        : `The weapp-auth server is not reachable at ${BASE_URL}.`,
      '',
      'Start the server on its embedded defaults in another terminal, then run the demo again:',
      '',
      '    npm start        # app on :3000, built-in WeChat simulator with its control API on :3001',
      '    npm run demo',
      '',
      server
        ? 'The built-in simulator only runs when WECHAT_APPID is unset and NODE_ENV is not production.'
        : 'Elsewhere? Set DEMO_BASE_URL (and DEMO_SIMULATOR_URL, DEMO_APPID).',
    ].join('\n'),
  );
  return false;
}

function printExchange(exchange: WxHttpExchange): void {
  const url = new URL(exchange.url);
  const auth = Object.entries(exchange.requestHeader).find(
    ([name]) => name.toLowerCase() === 'authorization',
  );
  const bearer = auth ? `  [Bearer ${short(auth[1].replace(/^Bearer /i, ''))}]` : '';
  const sent = exchange.requestBody === undefined ? '' : `  ${preview(exchange.requestBody)}`;
  line(`→ ${exchange.method} ${url.pathname}${url.search}${bearer}${sent}`);
  const status = exchange.status === 0 ? 'no answer' : String(exchange.status);
  const answer = exchange.responseBody === '' ? '' : `  ${preview(exchange.responseBody)}`;
  line(`← ${status} in ${exchange.ms} ms${answer}`);
}

/** One line of JSON with tokens and login/phone codes shortened (error codes kept), cut to a preview. */
function preview(body: unknown): string {
  const text = JSON.stringify(body, (key, value: unknown) =>
    typeof value === 'string' && (key === 'token' || (key === 'code' && !/^[A-Z0-9_]+$/.test(value)))
      ? short(value)
      : value,
  );
  return text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
}

/** Never print a whole token: 8 characters identify it in the output and are useless to anyone else. */
function short(secret: string): string {
  return `${secret.slice(0, 8)}…`;
}

function line(text: string): void {
  console.log(`   ${text}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('\nDemo failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
    if (error && typeof error === 'object' && 'code' in error) {
      const { code, status } = error as { code: unknown; status?: unknown };
      console.error(`  code ${String(code)}${status === undefined ? '' : `, HTTP ${String(status)}`}`);
    }
    process.exit(1);
  },
);
