import { describe, expect, test } from '@jest/globals';
import { SimulatorRandom } from './simulator-random.js';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

describe('simulator randomness', () => {
  test('identifiers have the observed shapes', () => {
    const random = new SimulatorRandom();
    expect(random.loginCode()).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(random.phoneCode()).toMatch(/^[0-9a-f]{64}$/);
    expect(random.openid()).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(Buffer.from(random.sessionKey(), 'base64')).toHaveLength(16);
    expect(random.accessToken()).toMatch(/^\d{2}_[A-Za-z0-9_-]{133}$/);
    expect(random.rid(Date.UTC(2024, 7, 22, 1, 14, 57))).toMatch(/^66c69111-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  test('a seed makes a simulator deterministic', async () => {
    const mint = async () => {
      const sim = await WechatSimulator.start({ seed: 'fixed', now: () => 0 });
      try {
        const minted = sim.mintLoginCode({ appid: DEFAULT_SIMULATOR_APP.appid });
        return { ...minted, key: sim.getSessionKey(DEFAULT_SIMULATOR_APP.appid, minted.openid)!.sessionKey };
      } finally {
        await sim.close();
      }
    };
    expect(await mint()).toEqual(await mint());
  });
});
