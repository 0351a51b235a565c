import { describe, expect, jest, test } from '@jest/globals';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { setResponseErrorCode } from '../http/response-error-code.js';
import { AppMetrics } from './app-metrics.js';
import { RequestMetricsHook } from './request-metrics.hook.js';

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

const request = (method: string, code?: string, is404 = false) => {
  const request = { method, is404 } as unknown as FastifyRequest;
  if (code) setResponseErrorCode(request, code);
  return request;
};
const reply = (statusCode: number) => ({ statusCode }) as FastifyReply;

/** The value of one series in the exposition text, or undefined when absent. */
async function sample(metrics: AppMetrics, name: string, labels: string): Promise<number | undefined> {
  const line = (await metrics.registry.metrics())
    .split('\n')
    .find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

function setup() {
  const metrics = new AppMetrics(null);
  const hooks = new RequestMetricsHook(metrics);
  const call = (hook: Hook, req: FastifyRequest, rep: FastifyReply) => {
    const done = jest.fn();
    hook(req, rep, done);
    expect(done).toHaveBeenCalledTimes(1);
  };
  return { metrics, hooks, call };
}

describe('RequestMetricsHook', () => {
  test('counts by route template, method and status, finding each cell once and reusing it', async () => {
    const { metrics, hooks, call } = setup();
    const cell = jest.spyOn(metrics.requests, 'cell');
    const hook = hooks.hookFor('/users/:id', 'GET');
    for (let i = 0; i < 3; i++) call(hook, request('GET'), reply(200));
    call(hook, request('GET', 'USER_NOT_FOUND'), reply(404));
    expect(cell).toHaveBeenCalledTimes(2); // one per status, not per request
    expect(
      await sample(metrics, 'weapp_auth_http_requests_total', 'route="/users/:id",method="GET",status="200"'),
    ).toBe(3);
    expect(
      await sample(metrics, 'weapp_auth_http_requests_total', 'route="/users/:id",method="GET",status="404"'),
    ).toBe(1);
    // Scraping again does not count twice.
    expect(
      await sample(metrics, 'weapp_auth_http_requests_total', 'route="/users/:id",method="GET",status="200"'),
    ).toBe(3);
    call(hook, request('GET'), reply(200));
    expect(
      await sample(metrics, 'weapp_auth_http_requests_total', 'route="/users/:id",method="GET",status="200"'),
    ).toBe(4);
  });

  test("instrument() appends the route's hook to the route's own onResponse hooks", () => {
    const { hooks } = setup();
    const existing: Hook = (_request, _reply, done) => done();
    const routes: RouteOptions[] = [
      { method: 'GET', url: '/a', handler: () => undefined },
      { method: 'GET', url: '/b', handler: () => undefined, onResponse: existing },
      { method: 'GET', url: '/c', handler: () => undefined, onResponse: [existing] },
    ];
    for (const route of routes) hooks.instrument(route);
    expect(routes.map((route) => (route.onResponse as Hook[]).length)).toEqual([1, 2, 2]);
    expect((routes[1].onResponse as Hook[])[0]).toBe(existing);
  });

  test('counts our rate-limit refusals by route, not WeChat’s', async () => {
    const { metrics, hooks, call } = setup();
    const hook = hooks.hookFor('/users/me/phone', 'POST');
    call(hook, request('POST', 'RATE_LIMITED'), reply(429));
    call(hook, request('POST', 'RATE_LIMITED'), reply(429));
    call(hook, request('POST', 'WECHAT_RATE_LIMITED'), reply(429));
    expect(await sample(metrics, 'weapp_auth_rate_limited_total', 'route="/users/me/phone"')).toBe(2);
  });

  test('counts login outcomes by error code on POST /auth/login only', async () => {
    const { metrics, hooks, call } = setup();
    const login = hooks.hookFor('/auth/login', 'POST');
    call(login, request('POST'), reply(200));
    call(login, request('POST', 'LOGIN_CODE_INVALID'), reply(401));
    call(login, request('POST', 'LOGIN_CODE_INVALID'), reply(401));
    call(hooks.hookFor('/auth/logout', 'POST'), request('POST'), reply(204));
    expect(await sample(metrics, 'weapp_auth_logins_total', 'code="ok"')).toBe(1);
    expect(await sample(metrics, 'weapp_auth_logins_total', 'code="LOGIN_CODE_INVALID"')).toBe(2);
  });

  test('labels requests that matched no route "unmatched", from the one global hook', async () => {
    const { metrics, hooks } = setup();
    const global: Hook[] = [];
    const fastify = {
      addHook: (name: string, hook: Hook) => (name === 'onResponse' ? global.push(hook) : undefined),
    } as unknown as FastifyInstance;
    hooks.register(fastify);
    const done = () => undefined;
    global[0](request('GET', 'NOT_FOUND', true), reply(404), done);
    global[0](request('GET'), reply(200), done); // a matched route's: counted by its own hook
    expect(
      await sample(metrics, 'weapp_auth_http_requests_total', 'route="unmatched",method="GET",status="404"'),
    ).toBe(1);
    expect(await metrics.registry.metrics()).not.toMatch(/status="200"/);
  });
});
