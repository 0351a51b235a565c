import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { freePort } from './redis-server.js';

/** A real 3-master Redis Cluster on loopback ports, started for one test file. */
export interface DisposableRedisCluster {
  nodes: { host: string; port: number }[];
  /** Comma-separated `redis://host:port` list, as REDIS_URL takes it. */
  url: string;
  dispose(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startDisposableRedisCluster(): Promise<DisposableRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-auth-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = ports.map((port) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    return spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        nodeDir,
      ],
      { stdio: 'ignore' },
    );
  });
  const dispose = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForPing(port);
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8' },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    await waitForClusterOk(nodes);
    return { nodes, url: nodes.map((node) => `redis://${node.host}:${node.port}`).join(','), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG')
      return;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function waitForClusterOk(nodes: { host: string; port: number }[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const info =
      spawnSync('redis-cli', ['-p', String(nodes[0].port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ??
      '';
    if (info.includes('cluster_state:ok')) {
      const probe = new Cluster(nodes, { lazyConnect: true });
      try {
        await probe.connect();
        await probe.set('{probe}', '1');
        return;
      } catch {
        // slots not yet agreed on every node
      } finally {
        probe.disconnect();
      }
    }
    await sleep(100);
  }
  throw new Error('the Redis Cluster did not reach cluster_state:ok');
}
