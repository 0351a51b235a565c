import { Pool } from 'undici';
import { requestText, TextRequestError, type TextAnswer } from './text-request.js';
import { WechatApiError, type WechatApiName, type WechatErrorKind } from './wechat-api.error.js';
import { checkWechatBody, type WechatPayload } from './wechat-response.parser.js';
import type { WechatCallObservation } from './wechat-options.interface.js';

/** @internal */
export interface WechatHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** Told about every attempt (WechatModuleOptions.observeCall). */
  observeCall?: (observation: WechatCallObservation) => void;
}

/** @internal */
export interface WechatHttpRequest {
  api: WechatApiName;
  method: 'GET' | 'POST';
  /** API path without the base URL's own path, e.g. `/sns/jscode2session`. */
  path: string;
  query: Record<string, string>;
  /** JSON body for POST. */
  body?: unknown;
  /** Every credential in this request (secret, code, session_key, token): scrubbed from anything we keep. */
  secrets: readonly (string | undefined)[];
}

// WeChat answers are a few hundred bytes; anything this large is not an API answer.
const MAX_RESPONSE_BYTES = 1024 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** An undici / Node error code, if it looks like one (never the message: it may quote the URL). */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}

/**
 * One keep-alive undici Pool per base URL. Reads every body as text whatever its Content-Type (WeChat
 * sends JSON as text/plain), enforces a total per-attempt timeout, and turns every
 * transport failure into a {@link WechatApiError} without the request URL or any undici error attached.
 *
 * @internal
 */
export class WechatHttp {
  private readonly pool: Pool;
  private readonly basePath: string;
  private closing?: Promise<void>;

  constructor(private readonly options: WechatHttpOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connectTimeout: options.connectTimeoutMs ?? options.timeoutMs,
      maxResponseSize: MAX_RESPONSE_BYTES,
      keepAliveTimeout: 4_000,
    });
  }

  /** Performs one attempt; resolves with the payload when errcode is 0 or absent. */
  call(request: WechatHttpRequest): Promise<WechatPayload> {
    const observe = this.options.observeCall;
    return observe ? this.observedAttempt(request, observe) : this.attempt(request);
  }

  private async observedAttempt(
    request: WechatHttpRequest,
    observe: (observation: WechatCallObservation) => void,
  ): Promise<WechatPayload> {
    const start = performance.now();
    let observation: WechatCallObservation;
    try {
      const payload = await this.attempt(request);
      observation = { api: request.api, errcode: 0, durationMs: performance.now() - start };
      return payload;
    } catch (error) {
      const { errcode, kind } = error as WechatApiError;
      observation = {
        api: request.api,
        ...(errcode === undefined ? { failure: kind ?? 'MALFORMED' } : { errcode }),
        durationMs: performance.now() - start,
      };
      throw error;
    } finally {
      try {
        observe(observation!);
      } catch {
        // An observer's bug must not turn a good WeChat answer into a failed login.
      }
    }
  }

  private async attempt(request: WechatHttpRequest): Promise<WechatPayload> {
    const { api } = request;
    const query = new URLSearchParams(request.query).toString();
    let answer: TextAnswer;
    try {
      answer = await requestText(
        this.pool,
        {
          method: request.method,
          path: `${this.basePath}${request.path}${query ? `?${query}` : ''}`,
          headers:
            request.body === undefined
              ? { accept: 'application/json' }
              : { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
        },
        this.options.timeoutMs,
      );
    } catch (error) {
      const failure = error instanceof TextRequestError ? error : new TextRequestError(error, false, false);
      throw this.transportError(
        api,
        failure.error,
        failure.afterHeaders ? 'body' : 'request',
        failure.timedOut,
      );
    }
    if (answer.statusCode !== 200) {
      // Gateway trouble (HTML 502 and the like): business errors always come back as HTTP 200.
      throw new WechatApiError({ api, kind: 'MALFORMED', detail: `HTTP ${answer.statusCode}` });
    }
    const text = answer.text;
    return checkWechatBody(api, text, request.secrets);
  }

  private transportError(
    api: WechatApiName,
    error: unknown,
    phase: 'request' | 'body',
    aborted: boolean,
  ): WechatApiError {
    const code = errorCode(error);
    if (aborted || (code && TIMEOUT_CODES.has(code))) {
      return new WechatApiError({
        api,
        kind: 'TIMEOUT',
        detail: aborted ? `no complete answer within ${this.options.timeoutMs} ms` : code,
      });
    }
    // Headers arrived but the body broke off or overflowed: WeChat may have acted on the request (a code may
    // be consumed), so this is a bad answer rather than an unreachable host.
    const kind: WechatErrorKind = phase === 'body' ? 'MALFORMED' : 'UNREACHABLE';
    return new WechatApiError({
      api,
      kind,
      detail: phase === 'body' ? `incomplete body${code ? `: ${code}` : ''}` : (code ?? 'network error'),
    });
  }

  /** Closes the pool once; later calls fail as UNREACHABLE. */
  close(): Promise<void> {
    this.closing ??= this.pool.close().catch(() => this.pool.destroy());
    return this.closing;
  }
}
