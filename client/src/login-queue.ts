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
    return this.track(start(this.task));
  }

  /**
   * Runs `task` instead of the default one, after the run in flight (if any) settles, whichever way;
   * `run()` calls meanwhile join it. For a run that must not be shared with callers who asked for
   * something else (a login with a phone code).
   */
  runAfter(task: () => Promise<T>): Promise<T> {
    const previous = this.pending;
    return this.track(previous ? previous.then(task, task) : start(task));
  }

  private track(started: Promise<T>): Promise<T> {
    // `then` callbacks run asynchronously, so `pending` is set before either of them clears it; a
    // run queued behind this one (runAfter) has replaced it by then and stays.
    const pending: Promise<T> = started.then(
      (value) => {
        if (this.pending === pending) this.pending = null;
        return value;
      },
      (error: unknown) => {
        if (this.pending === pending) this.pending = null;
        throw error;
      },
    );
    this.pending = pending;
    return pending;
  }
}

function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
