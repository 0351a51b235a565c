import { createHash } from 'node:crypto';
import type { RedisBatcher } from './redis-batcher.js';

/**
 * A Lua script sent by its SHA-1 (EVALSHA) rather than its text: the text of the session index script
 * is over 1 kB, which the sender would copy and Redis would hash on every login. Redis forgets scripts
 * when it restarts (or on SCRIPT FLUSH): the call that meets NOSCRIPT sends the text once (EVAL), which
 * caches it again.
 * @internal
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script in the batcher's current batch. */
  run(batch: RedisBatcher, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const tail = [keys.length, ...keys, ...args];
    return batch
      .call('evalsha', [this.sha, ...tail])
      .catch((error: unknown) =>
        isNoScript(error) ? batch.call('eval', [this.source, ...tail]) : Promise.reject(error),
      );
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
