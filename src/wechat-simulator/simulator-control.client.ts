import type {
  ClockState,
  EncryptForClientInput,
  FaultSpec,
  InjectedFault,
  MintedLoginCode,
  MintedPhoneCode,
  MintLoginCodeInput,
  MintPhoneCodeInput,
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
