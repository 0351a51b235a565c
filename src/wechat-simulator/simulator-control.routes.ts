import type { ServerResponse } from 'node:http';
import { parseAdvance, parseWords } from './simulator-control.validation.js';
import { sendJson } from './simulator-http.js';
import { SimulatorInputError } from './simulator-input.js';
import type { WechatSimulator } from './wechat-simulator.js';

type Route = (
  sim: WechatSimulator,
  body: unknown,
  query: URLSearchParams,
) => [status: number, body?: unknown];

/** The test-control API. Each route is a thin wrapper over the simulator method of the same meaning. */
const ROUTES: Record<string, Route> = {
  'POST /__sim/apps': (sim, body) => [201, sim.registerApp(body as never)],
  'POST /__sim/login-codes': (sim, body) => [200, sim.mintLoginCode(body as never)],
  'POST /__sim/oauth/next-user': (sim, body) => [200, sim.setNextOAuthUser(body as never)],
  'POST /__sim/phone-codes': (sim, body) => [200, sim.mintPhoneCode(body as never)],
  'POST /__sim/encrypt': (sim, body) => [200, sim.encryptForClient(body as never)],
  'GET /__sim/session-key': (sim, _body, query) => {
    const info = sim.getSessionKey(query.get('appid') ?? '', query.get('openid') ?? '');
    if (!info) throw new SimulatorInputError('no session_key for this appid and openid', 404);
    return [200, info];
  },
  'POST /__sim/faults': (sim, body) => [200, sim.injectFault(body as never)],
  'DELETE /__sim/faults': (sim) => (sim.clearFaults(), [204]),
  'GET /__sim/requests': (sim) => [200, sim.requests()],
  'DELETE /__sim/requests': (sim) => (sim.clearRequests(), [204]),
  'POST /__sim/clock': (sim, body) => [200, sim.advanceClock(parseAdvance(body))],
  'POST /__sim/sensitive-words': (sim, body) => {
    const { words, label } = parseWords(body);
    sim.setSensitiveWords(words, label);
    return [204];
  },
  'POST /__sim/reset': (sim) => (sim.reset(), [204]),
};

const PATHS = new Set(Object.keys(ROUTES).map((key) => key.split(' ')[1]));

/**
 * Serves `/__sim/*`: JSON in and out, 4xx `{error}` for bad input, 404 for unknown routes and 405
 * for a known path with the wrong method.
 *
 * @internal
 */
export function serveControl(
  sim: WechatSimulator,
  method: string,
  url: URL,
  rawBody: string,
  res: ServerResponse,
): void {
  const route = ROUTES[`${method} ${url.pathname}`];
  if (!route) {
    const known = PATHS.has(url.pathname);
    sendJson(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'no such control route' });
    return;
  }
  try {
    let body: unknown = {};
    if (rawBody.trim().length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new SimulatorInputError('body is not valid JSON');
      }
    }
    const [status, answer] = route(sim, body, url.searchParams);
    sendJson(res, status, answer);
  } catch (error) {
    if (error instanceof SimulatorInputError) sendJson(res, error.status, { error: error.message });
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}
