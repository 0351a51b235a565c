import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorClock } from './simulator-clock.js';
import type { SimulatorContext } from './simulator-context.js';
import { serveControl } from './simulator-control.routes.js';
import type {
  ClockState,
  EncryptForClientInput,
  FaultSpec,
  InjectedFault,
  MintedLoginCode,
  MintedPhoneCode,
  MintLoginCodeInput,
  MintPhoneCodeInput,
  NextOAuthUserInput,
  OAuthUserAnswer,
  RecordedRequest,
  RegisterAppInput,
  SessionKeyInfo,
} from './simulator-control.types.js';
import {
  parseApp,
  parseEncrypt,
  parseFault,
  parseMintLoginCode,
  parseMintPhoneCode,
  parseNextOAuthUser,
  parseWords,
  parseAdvance,
} from './simulator-control.validation.js';
import { encryptForClient, type ClientEncryptedData } from './simulator-crypto.js';
import { SimulatorFaults } from './simulator-faults.js';
import { BodyTooLargeError, readBody, send, sendJson } from './simulator-http.js';
import { SimulatorInputError } from './simulator-input.js';
import { SimulatorOAuth } from './simulator-oauth.js';
import { SimulatorRandom } from './simulator-random.js';
import { SimulatorRequestLog } from './simulator-request-log.js';
import { SimulatorState } from './simulator-state.js';
import { SimulatorTokens } from './simulator-tokens.js';
import { serveWechat } from './wechat-api.router.js';
import { isAuthorizePage, serveAuthorizePage } from './wechat-oauth.pages.js';
import { resolveSimulatorOptions, type WechatSimulatorOptions } from './wechat-simulator.options.js';

const CONTROL_PREFIX = '/__sim/';

/**
 * A local stand-in for `https://api.weixin.qq.com` (jscode2session, checksession,
 * resetusersessionkey, token, stable_token, getuserphonenumber, msg_sec_check, and the web OAuth
 * `sns/*` calls) and for the authorize pages of `open.weixin.qq.com`, with a test-control API under
 * `/__sim/`. Every control route has a synchronous method here for in-process use.
 *
 * @example
 * const sim = await WechatSimulator.start();
 * const { code } = sim.mintLoginCode({ appid: DEFAULT_SIMULATOR_APP.appid });
 * // point the backend's WeChat base URL at sim.url and log in with `code`
 * await sim.close();
 *
 * @publicApi
 */
export class WechatSimulator {
  /** Base URL, e.g. `http://127.0.0.1:43210` (no trailing slash). */
  readonly url: string;
  readonly port: number;

  private constructor(
    private readonly server: Server,
    private readonly ctx: SimulatorContext,
    private readonly timers: Set<NodeJS.Timeout>,
  ) {
    const { port } = server.address() as AddressInfo;
    const host = ctx.options.host;
    const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    this.port = port;
    this.url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: WechatSimulatorOptions = {}): Promise<WechatSimulator> {
    const resolved = resolveSimulatorOptions(options);
    const clock = new SimulatorClock(resolved.now);
    const random = new SimulatorRandom(resolved.seed);
    const timers = new Set<NodeJS.Timeout>();
    const state = new SimulatorState(resolved, clock, random);
    const ctx: SimulatorContext = {
      options: resolved,
      clock,
      random,
      state,
      oauth: new SimulatorOAuth(state, clock, random),
      tokens: new SimulatorTokens(clock, random),
      faults: new SimulatorFaults(random),
      log: new SimulatorRequestLog(resolved.requestLogLimit),
      sleep: (ms) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        }),
    };
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const simulator = new WechatSimulator(server, ctx, timers);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void simulator.handle(req, res));
    return simulator;
  }

  /** Stops listening and destroys every connection, including keep-alive and hung ones. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** The simulator clock (ms): the configured clock plus every `advanceClock`. */
  now(): number {
    return this.ctx.clock.now();
  }

  /** `POST /__sim/apps`: registers another app (idempotent; 409 if the appid exists differently). */
  registerApp(app: RegisterAppInput): { appid: string } {
    const parsed = parseApp(app);
    this.ctx.state.registerApp(parsed);
    return { appid: parsed.appid };
  }

  /** `POST /__sim/login-codes`: the simulator's `wx.login`. */
  mintLoginCode(input: MintLoginCodeInput): MintedLoginCode {
    return this.ctx.state.mintLoginCode(parseMintLoginCode(input));
  }

  /**
   * `POST /__sim/oauth/next-user`: the user who confirms the next authorize page of `appid` (unless the
   * page names one with `sim_user`). Creates or updates the user and its `sns/userinfo` profile.
   */
  setNextOAuthUser(input: NextOAuthUserInput): OAuthUserAnswer {
    const { appid, ...user } = parseNextOAuthUser(input);
    return this.ctx.oauth.queueNextUser(appid, user);
  }

  /** `POST /__sim/phone-codes`: the getPhoneNumber button's code. */
  mintPhoneCode(input: MintPhoneCodeInput): MintedPhoneCode {
    return this.ctx.state.mintPhoneCode(parseMintPhoneCode(input));
  }

  /** `POST /__sim/encrypt`: open data encrypted with the user's current session_key. */
  encryptForClient(input: EncryptForClientInput): ClientEncryptedData {
    const { appid, openid, payload } = parseEncrypt(input);
    const key = this.ctx.state.user(appid, openid)?.sessionKey;
    if (!key)
      throw new SimulatorInputError('no session_key for this appid and openid: mint a login code first', 404);
    return encryptForClient(payload, key.key, this.ctx.random.bytes(16), {
      timestamp: this.ctx.clock.nowSeconds(),
      appid,
    });
  }

  /** `GET /__sim/session-key`: the user's current session_key (possibly expired); undefined if none. */
  getSessionKey(appid: string, openid: string): SessionKeyInfo | undefined {
    const key = this.ctx.state.user(appid, openid)?.sessionKey;
    return key && { sessionKey: key.key, expiresAt: key.expiresAt };
  }

  /** `POST /__sim/faults`. */
  injectFault(spec: FaultSpec): InjectedFault {
    return { id: this.ctx.faults.add(parseFault(spec)) };
  }

  /** `DELETE /__sim/faults`. */
  clearFaults(): void {
    this.ctx.faults.clear();
  }

  /** `GET /__sim/requests`: WeChat API calls, most recent last. */
  requests(): RecordedRequest[] {
    return this.ctx.log.list();
  }

  /** `DELETE /__sim/requests`. */
  clearRequests(): void {
    this.ctx.log.clear();
  }

  /** `POST /__sim/clock`: moves the simulator clock forward (codes, tokens, session_key TTL). */
  advanceClock(seconds: number): ClockState {
    return { now: this.ctx.clock.advance(parseAdvance({ advanceSeconds: seconds })) };
  }

  /** `POST /__sim/sensitive-words`: replaces msg_sec_check's word list (label default 20001). */
  setSensitiveWords(words: string[], label?: number): void {
    const parsed = parseWords({ words, label });
    this.ctx.state.setSensitiveWords(parsed.words, parsed.label);
  }

  /** `POST /__sim/reset`: forgets users, codes, tokens, faults, the log and the clock offset. */
  reset(): void {
    this.ctx.state.reset();
    this.ctx.tokens.reset();
    this.ctx.oauth.reset();
    this.ctx.faults.clear();
    this.ctx.log.clear();
    this.ctx.clock.reset();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://simulator');
      const rawBody = await readBody(req);
      if (url.pathname.startsWith(CONTROL_PREFIX)) {
        if (this.ctx.options.controlApi) serveControl(this, req.method ?? 'GET', url, rawBody, res);
        else send(res, 404, 'text/plain', 'Not Found');
        return;
      }
      if (isAuthorizePage(url.pathname) && req.method === 'GET') {
        serveAuthorizePage(this.ctx, res, url);
        return;
      }
      await serveWechat(this.ctx, req, res, url, rawBody);
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendJson(res, 413, { error: error.message });
      else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
