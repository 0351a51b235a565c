import type { Dispatcher } from 'undici';

/** A complete HTTP answer, its body decoded as UTF-8. @internal */
export interface TextAnswer {
  statusCode: number;
  text: string;
}

/** Why a text request failed: undici's error, and how far the exchange had got. @internal */
export class TextRequestError extends Error {
  override readonly name = 'TextRequestError';

  constructor(
    readonly error: unknown,
    /** Status and headers had arrived: the server saw, and may have acted on, the request. */
    readonly afterHeaders: boolean,
    /** The total deadline passed first. */
    readonly timedOut: boolean,
  ) {
    super('HTTP request failed', { cause: error });
  }
}

const DEADLINE_PASSED = new Error('deadline passed');

/**
 * One request through undici's `dispatch()`, the whole answer collected as text, within `timeoutMs`
 * in total (connecting, waiting, reading). undici's `request()` would wrap every answer in a
 * Readable stream and listen on an abort signal: for the one WeChat call of a login, that machinery
 * measured ~5 % of the login's CPU (bench/). The size limit is the dispatcher's `maxResponseSize`.
 * @internal
 */
export function requestText(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  timeoutMs: number,
): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new TextHandler(resolve, reject, timeoutMs));
  });
}

class TextHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private readonly chunks: Buffer[] = [];
  private statusCode = 0;
  private timedOut = false;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (answer: TextAnswer) => void,
    private readonly reject: (error: TextRequestError) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      // Still queued for a connection: fail now, and abort once undici hands us the request.
      if (this.controller) this.controller.abort(DEADLINE_PASSED);
      else this.fail(DEADLINE_PASSED);
    }, timeoutMs);
    // Like AbortSignal.timeout(): a request in flight does not keep the process alive on its own.
    this.timer.unref();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.timedOut) controller.abort(DEADLINE_PASSED);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // 1xx answers are interim; the final status follows.
    if (statusCode >= 200) this.statusCode = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    clearTimeout(this.timer);
    if (this.settled) return;
    this.settled = true;
    const text =
      this.chunks.length === 1
        ? this.chunks[0].toString('utf8')
        : Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ statusCode: this.statusCode, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private fail(error: unknown): void {
    clearTimeout(this.timer);
    if (this.settled) return;
    this.settled = true;
    this.reject(new TextRequestError(error, this.statusCode !== 0, this.timedOut));
  }
}
