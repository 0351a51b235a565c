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
  OAuthAuthorizeInput,
  OAuthAuthorizeResult,
  OAuthUserAnswer,
  RecordedRequest,
  RegisterAppInput,
  SessionKeyInfo,
} from './simulator-control.types.js';
import type { ClientEncryptedData } from './simulator-crypto.js';

/** A non-2xx answer from the control API. @publicApi */
export class SimulatorControlError extends Error {
  override readonly name = 'SimulatorControlError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`simulator control API ${status}: ${message}`);
  }
}

/**
 * Typed client for a simulator's `/__sim/*` test-control API, for tests and tools that run the
 * simulator in another process. Uses the global `fetch`.
 *
 * @example
 * const sim = new SimulatorControlClient('http://127.0.0.1:3001');
 * const { code, openid } = await sim.mintLoginCode({ appid: 'wx0123456789abcdef' });
 *
 * @publicApi
 */
export class SimulatorControlClient {
  private readonly baseUrl: string;

  /** @param baseUrl the simulator's base URL, e.g. `http://127.0.0.1:3001` */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  registerApp(app: RegisterAppInput): Promise<{ appid: string }> {
    return this.call('POST', '/__sim/apps', app);
  }

  mintLoginCode(input: MintLoginCodeInput): Promise<MintedLoginCode> {
    return this.call('POST', '/__sim/login-codes', input);
  }

  mintPhoneCode(input: MintPhoneCodeInput): Promise<MintedPhoneCode> {
    return this.call('POST', '/__sim/phone-codes', input);
  }

  /** The user who confirms the next authorize page of `input.appid`. */
  setNextOAuthUser(input: NextOAuthUserInput): Promise<OAuthUserAnswer> {
    return this.call('POST', '/__sim/oauth/next-user', input);
  }

  /**
   * Does what the user's browser does on WeChat's authorize page (`/connect/oauth2/authorize`, or
   * `/connect/qrconnect` for `snsapi_login`): requests it without following the redirect and returns the
   * code and state from the `Location`. An error page throws `SimulatorControlError` with status 200 and
   * the page's errcode as message (e.g. `"10003 redirect_uri 参数错误"`).
   */
  async oauthAuthorize(input: OAuthAuthorizeInput): Promise<OAuthAuthorizeResult> {
    const query = new URLSearchParams({
      appid: input.appid,
      redirect_uri: input.redirectUri,
      response_type: 'code',
      scope: input.scope,
      state: input.state ?? '',
    });
    if (typeof input.user === 'string') query.set('sim_user', input.user);
    else if (input.user) await this.setNextOAuthUser({ ...input.user, appid: input.appid });
    const page = input.scope === 'snsapi_login' ? '/connect/qrconnect' : '/connect/oauth2/authorize';
    const response = await fetch(`${this.baseUrl}${page}?${query}#wechat_redirect`, { redirect: 'manual' });
    const text = await response.text();
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) {
      const errcode = response.headers.get('x-sim-errcode');
      const title = /<h2[^>]*>([^<]*)<\/h2>/.exec(text)?.[1];
      throw new SimulatorControlError(response.status, errcode ? `${errcode} ${title ?? ''}`.trim() : text);
    }
    const params = new URL(location).searchParams;
    return { code: params.get('code') ?? '', state: params.get('state') ?? '', location };
  }

  encryptForClient(input: EncryptForClientInput): Promise<ClientEncryptedData> {
    return this.call('POST', '/__sim/encrypt', input);
  }

  /** The user's current session_key, or undefined when the user has none. */
  async getSessionKey(appid: string, openid: string): Promise<SessionKeyInfo | undefined> {
    const query = new URLSearchParams({ appid, openid });
    try {
      return await this.call<SessionKeyInfo>('GET', `/__sim/session-key?${query}`);
    } catch (error) {
      if (error instanceof SimulatorControlError && error.status === 404) return undefined;
      throw error;
    }
  }

  injectFault(spec: FaultSpec): Promise<InjectedFault> {
    return this.call('POST', '/__sim/faults', spec);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/__sim/faults');
  }

  requests(): Promise<RecordedRequest[]> {
    return this.call('GET', '/__sim/requests');
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/__sim/requests');
  }

  advanceClock(seconds: number): Promise<ClockState> {
    return this.call('POST', '/__sim/clock', { advanceSeconds: seconds });
  }

  setSensitiveWords(words: string[], label?: number): Promise<void> {
    return this.call('POST', '/__sim/sensitive-words', { words, label });
  }

  reset(): Promise<void> {
    return this.call('POST', '/__sim/reset');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the raw text (e.g. 404 when the control API is disabled)
      }
      throw new SimulatorControlError(response.status, message);
    }
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }
}
