import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { http } from './support/http.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

/** A fresh operator credential: the bearer token, and its `OPERATOR_CREDENTIALS` entry (sha256 hex). */
function operatorCredential(name: string) {
  const token = randomBytes(32).toString('base64url');
  return { token, entry: `${name}:${createHash('sha256').update(token).digest('hex')}` };
}

/** One sample's value from the exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

describe('/metrics behind the operator credential (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  const operator = operatorCredential('prometheus');

  beforeAll(async () => {
    stack = await startTestStack('metrics', {
      OPERATOR_CREDENTIALS: operator.entry,
      RATE_LIMIT_LOGIN_PER_MINUTE: '6',
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function scrape(): Promise<string> {
    const response = await http('GET', `${stack.url}/metrics`, { token: operator.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text;
  }

  test('401 OPERATOR_UNAUTHORIZED without a credential or with a wrong one; 200 with the right one', async () => {
    const missing = await http('GET', `${stack.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('OPERATOR_UNAUTHORIZED');
    const wrong = await http('GET', `${stack.url}/metrics`, { token: operatorCredential('x').token });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('OPERATOR_UNAUTHORIZED');
    // A user's session token is not an operator credential.
    const user = await http('GET', `${stack.url}/metrics`, { token: await stack.loginToken() });
    expect(user.status).toBe(401);
    const text = await scrape();
    expect(text).toContain('# HELP weapp_auth_http_requests_total ');
    expect(text).toContain('# TYPE weapp_auth_http_requests_total counter');
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^weapp_auth_audit_backlog \d+$/m);
  });

  test('a login counts its outcome, its request and its jscode2session call with a latency histogram', async () => {
    const before = await scrape();
    const login = await stack.login();
    expect(login.status).toBe(200);
    const text = await scrape();
    const delta = (name: string, labels: string) =>
      (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('weapp_auth_logins_total', 'code="ok"')).toBe(1);
    expect(delta('weapp_auth_http_requests_total', 'route="/auth/login",method="POST",status="200"')).toBe(1);
    expect(delta('weapp_auth_wechat_calls_total', 'api="jscode2session",errcode="0"')).toBe(1);
    expect(delta('weapp_auth_wechat_call_duration_seconds_count', 'api="jscode2session"')).toBe(1);
    expect(text).toMatch(
      /^weapp_auth_wechat_call_duration_seconds_bucket\{le="\+Inf",api="jscode2session"\} \d+/m,
    );
    // Routes are templates, never raw URLs.
    expect(text).not.toMatch(/route="\/auth\/sessions\/[0-9a-f]/);
  });

  test("a failed login counts its error code, and WeChat's errcode", async () => {
    const before = await scrape();
    const failed = await http('POST', `${stack.url}/auth/login`, { body: { code: 'NoSuchCode' } });
    expect(failed.status).toBe(401);
    expect(failed.body.code).toBe('LOGIN_CODE_INVALID');
    const text = await scrape();
    const delta = (name: string, labels: string) =>
      (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('weapp_auth_logins_total', 'code="LOGIN_CODE_INVALID"')).toBe(1);
    expect(delta('weapp_auth_wechat_calls_total', 'api="jscode2session",errcode="40029"')).toBe(1);
    expect(delta('weapp_auth_http_requests_total', 'route="/auth/login",method="POST",status="401"')).toBe(1);
  });

  test('WeChat faults injected in the simulator show as their errcode or failure kind', async () => {
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: 40226 });
    const blocked = await stack.login();
    expect(blocked.body.code).toBe('WECHAT_RISK_BLOCKED');
    await stack.sim.injectFault({ api: 'jscode2session', type: 'http502' });
    const gateway = await stack.login();
    expect(gateway.body.code).toBe('WECHAT_BAD_GATEWAY');
    const text = await scrape();
    expect(sample(text, 'weapp_auth_wechat_calls_total', 'api="jscode2session",errcode="40226"')).toBe(1);
    expect(sample(text, 'weapp_auth_wechat_calls_total', 'api="jscode2session",errcode="MALFORMED"')).toBe(1);
    expect(sample(text, 'weapp_auth_logins_total', 'code="WECHAT_RISK_BLOCKED"')).toBe(1);
    expect(sample(text, 'weapp_auth_logins_total', 'code="WECHAT_BAD_GATEWAY"')).toBe(1);
  });

  test('unmatched paths are one "unmatched" route, whatever the URL', async () => {
    await http('GET', `${stack.url}/no/such/${randomBytes(4).toString('hex')}`);
    const text = await scrape();
    expect(
      sample(text, 'weapp_auth_http_requests_total', 'route="unmatched",method="GET",status="404"'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/no/such/');
  });

  test('Redis and the database are probed: latency histograms and up gauges', async () => {
    // The first probe runs at start-up, without waiting for it; give it a moment if it is still out.
    let text = await scrape();
    const probed = (name: string) =>
      (sample(text, `weapp_auth_${name}_probe_duration_seconds_count`) ?? 0) +
      (sample(text, `weapp_auth_${name}_errors_total`, 'source="probe"') ?? 0);
    for (let i = 0; i < 50 && (probed('redis') === 0 || probed('database') === 0); i++) {
      await sleep(100);
      text = await scrape();
    }
    expect(sample(text, 'weapp_auth_redis_up')).toBe(1);
    expect(sample(text, 'weapp_auth_database_up')).toBe(1);
    expect(sample(text, 'weapp_auth_redis_probe_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'weapp_auth_database_probe_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'weapp_auth_redis_errors_total', 'source="probe"')).toBe(0);
    expect(sample(text, 'weapp_auth_database_errors_total', 'source="probe"')).toBe(0);
  });

  // Last: it spends this address's login budget.
  test('a 429 of our rate limiter is counted by route', async () => {
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++) {
      status = (await http('POST', `${stack.url}/auth/login`, { body: { code: 'NoSuchCode' } })).status;
    }
    expect(status).toBe(429);
    const text = await scrape();
    expect(sample(text, 'weapp_auth_rate_limited_total', 'route="/auth/login"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'weapp_auth_logins_total', 'code="RATE_LIMITED"')).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'weapp_auth_http_requests_total', 'route="/auth/login",method="POST",status="429"'),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('/metrics without operators configured', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('metrics-no-ops');
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('404 OPERATOR_API_DISABLED', async () => {
    const response = await http('GET', `${stack.url}/metrics`, { token: operatorCredential('x').token });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('OPERATOR_API_DISABLED');
  });
});

describe('/metrics on METRICS_PORT', () => {
  let stack: TestStack;
  let metricsUrl: string;

  beforeAll(async () => {
    stack = await startTestStack('metrics-port', { METRICS_PORT: '0' });
    metricsUrl = `http://127.0.0.1:${stack.app.app.get(MetricsServer).port}`;
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('serves /metrics there without a credential, and nothing else', async () => {
    expect((await stack.login()).status).toBe(200);
    const response = await http('GET', `${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(response.text, 'weapp_auth_logins_total', 'code="ok"')).toBe(1);
    expect((await http('GET', `${metricsUrl}/users/me`)).status).toBe(404);
    expect((await http('POST', `${metricsUrl}/metrics`)).status).toBe(405);
  });

  test('the API port has no /metrics', async () => {
    const response = await http('GET', `${stack.url}/metrics`);
    expect(response.status).toBe(404);
    expect(response.body.code).not.toBe('OPERATOR_API_DISABLED');
  });

  test('the listener closes with the app', async () => {
    await stack.close();
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    stack = undefined as unknown as TestStack;
  });
});

describe('METRICS_ENABLED=false', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('metrics-off', { METRICS_ENABLED: 'false', METRICS_PORT: '0' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('no /metrics route and no listener; logins still work', async () => {
    expect((await stack.login()).status).toBe(200);
    const response = await http('GET', `${stack.url}/metrics`);
    expect(response.status).toBe(404);
    expect(() => stack.app.app.get(MetricsServer)).toThrow();
  });
});
