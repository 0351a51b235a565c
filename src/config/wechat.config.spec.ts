import { describe, expect, test } from '@jest/globals';
import { DEFAULT_SIMULATOR_APP } from '../wechat-simulator/wechat-simulator.options.js';
import { DEVELOPMENT_WECHAT_APP } from './wechat.config.js';

describe('development WeChat app', () => {
  test("is the simulator's default app, so tools minting codes for that app work against npm start", () => {
    expect(DEVELOPMENT_WECHAT_APP).toEqual({
      appid: DEFAULT_SIMULATOR_APP.appid,
      secret: DEFAULT_SIMULATOR_APP.secret,
    });
  });
});
