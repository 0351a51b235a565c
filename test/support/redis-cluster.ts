import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { createServer } from 'node:net';
import { killAndWait } from './child-process.js';

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
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freeClusterPort();
    if (!ports.includes(port)) ports.push(port);
  }
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
    await Promise.all(children.map(killAndWait));
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
      { encoding: 'utf8', timeout: 20_000 },
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
      // Bounded: a probe of a cluster still agreeing on its slots can otherwise wait for a long time.
      const probe = new Cluster(nodes, { lazyConnect: true, clusterRetryStrategy: () => null });
      try {
        await Promise.race([
          probe.connect().then(() => probe.set('{probe}', '1')),
          sleep(2000).then(() => Promise.reject(new Error('probe timed out'))),
        ]);
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

/**
 * A port whose cluster bus port (port + 10000) is free too. An ephemeral port from the OS can be above
 * 55535, which leaves no valid bus port, and the cluster then never forms.
 */
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
