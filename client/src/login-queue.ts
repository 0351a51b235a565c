/**
 * Single flight: while a run is pending, every `run()` gets that same promise; the first call after it
 * settles (either way) starts a new one.
 *
 * This is what keeps ten requests that meet one expired session to one `wx.login` and one
 * `POST /auth/login`. Without it each caller logs in on its own: several sessions, and each login
 * rotates the WeChat session_key the others depend on.
 *
 * @publicApi
 */
export class LoginQueue<T> {
  private pending: Promise<T> | null = null;

  constructor(private readonly task: () => Promise<T>) {}

  /** A run is in flight. */
  get busy(): boolean {
    return this.pending !== null;
  }

  run(): Promise<T> {
    if (this.pending) return this.pending;
    let started: Promise<T>;
    try {
      started = this.task();
    } catch (error) {
      started = Promise.reject(error);
    }
    // `then` callbacks run asynchronously, so `pending` is set before either of them clears it.
    const pending = started.then(
      (value) => {
        this.pending = null;
        return value;
      },
      (error: unknown) => {
        this.pending = null;
        throw error;
      },
    );
    this.pending = pending;
    return pending;
  }
}
