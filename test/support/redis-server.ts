import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, killAndWait } from './child-process.js';

/**
 * A private redis-server on a spare loopback port, for outage tests: they stop, pause and restart it
 * freely. The machine's shared Redis is never touched.
 */
export interface DisposableRedis {
  url: string;
  port: number;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hung or failing-over Redis). */
  pause(): void;
  resume(): void;
  /** Kills the process: connections are refused until start(). Data is lost (no persistence). */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startDisposableRedis(extraArgs: string[] = []): Promise<DisposableRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'weapp-auth-redis-'));
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    await waitUntilAnswering(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    await killAndWait(running);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAnswering(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await sleep(50);
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server on port ${port} did not start`);
}
