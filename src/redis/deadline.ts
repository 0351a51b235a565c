/**
 * How long a caller waits for the session store before answering 503. ioredis' own command timeout
 * is not enough for a client with auto-pipelining (an importing app may pass one): a pipeline waits
 * for the previous one on the same connection, so behind a hung Redis each command would first sit
 * out its predecessors' timeouts. This bounds the wait from the caller's side, whatever queues in
 * between.
 */
export const STORE_DEADLINE_MS = 1000;

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

export function withDeadline<T>(promise: Promise<T>, ms: number = STORE_DEADLINE_MS): Promise<T> {
  // One promise and one timer per call (not Promise.race + finally): this runs on every guarded request.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
