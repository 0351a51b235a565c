import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Cluster } from 'ioredis';
import { RedisSessionStore } from '../src/auth/session/redis-session.store.js';
import { describeSessionStoreContract } from '../src/auth/session/session-store.contract.js';
import { http } from './support/http.js';
import {
  redisServerAvailable,
  startDisposableRedisCluster,
  type DisposableRedisCluster,
} from './support/redis-cluster.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

const available = redisServerAvailable();
if (!available) {
  console.warn(
    '\n!!! redis-server is not installed: the Redis Cluster tests are SKIPPED. Install redis-server to run them. !!!\n',
  );
}
const describeIfRedis = available ? describe : describe.skip;

describeIfRedis('on a real 3-node Redis Cluster', () => {
  let cluster: DisposableRedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startDisposableRedisCluster();
    client = new Cluster(cluster.nodes, { enableAutoPipelining: true });
    // Forming a cluster (redis-cli --cluster create, then every node agreeing) took over 30 s once.
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.dispose();
  });

  describeSessionStoreContract(
    'RedisSessionStore on Cluster',
    () => new RedisSessionStore(client, 'wxauth:'),
  );

  describe('the whole app', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startTestStack('redis-cluster', { REDIS_URL: cluster.url });
    });

    afterAll(async () => {
      await stack?.close();
    });

    test('logs in, authenticates, lists, revokes and rate-limits with its keys spread over the cluster', async () => {
      const openid = 'oClusterUser0000000000000000';
      const first = await stack.loginToken({ openid });
      const second = await stack.loginToken({ openid });
      const list = await http('GET', `${stack.url}/auth/sessions`, { token: first });
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(2);
      expect((await http('DELETE', `${stack.url}/auth/sessions`, { token: second })).status).toBe(204);
      expect((await http('GET', `${stack.url}/auth/sessions`, { token: first })).status).toBe(401);
      expect((await http('GET', `${stack.url}/health/ready`)).status).toBe(200);
    });
  });
});
