import { EventEmitter } from 'node:events';

/**
 * A total deadline for one HTTP attempt, in the EventEmitter form of signal that undici accepts
 * (`aborted`, then an 'abort' event). Measured on Node 20, `AbortSignal.timeout()` costs ~8 µs per
 * request and an AbortController with a timer ~5 µs (EventTarget machinery); this costs ~0.3 µs,
 * and every login makes one such request.
 * @internal
 */
export class RequestDeadline extends EventEmitter {
  aborted = false;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.emit('abort');
    }, ms);
    // Like AbortSignal.timeout(): an attempt in flight does not keep the process alive on its own.
    this.timer.unref();
  }

  /** Call when the attempt is over, answered or not. */
  clear(): void {
    clearTimeout(this.timer);
  }
}
