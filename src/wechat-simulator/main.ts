// Runs the WeChat API simulator alone: `npm run simulator`.
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

async function main(): Promise<void> {
  // The control API mints codes and reads session keys: nothing a production host should expose.
  // Without it the simulator is useless, so refuse to start rather than run crippled.
  if (process.env.NODE_ENV === 'production') {
    console.error(
      'wechat-simulator: refusing to start with NODE_ENV=production (it is a test tool; unset NODE_ENV)',
    );
    process.exit(1);
  }
  const rawPort = process.env.WECHAT_SIMULATOR_PORT ?? '3001';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`wechat-simulator: WECHAT_SIMULATOR_PORT must be 0-65535, got ${JSON.stringify(rawPort)}`);
    process.exit(1);
  }
  const simulator = await WechatSimulator.start({
    port,
    host: process.env.WECHAT_SIMULATOR_HOST ?? '127.0.0.1',
    quiet: process.env.WECHAT_SIMULATOR_QUIET === '1',
  });
  console.log(`WeChat API simulator listening on ${simulator.url}`);
  // Its AppSecret is fake and published (README, DEFAULT_SIMULATOR_APP), but no credential is ever printed.
  console.log(
    `default app: appid ${DEFAULT_SIMULATOR_APP.appid} (its secret: see DEFAULT_SIMULATOR_APP in the README)`,
  );
  console.log(`control API: ${simulator.url}/__sim/ (mint a code: POST /__sim/login-codes {"appid":"…"})`);

  const stop = (signal: string) => {
    console.log(`wechat-simulator: ${signal}, closing`);
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('wechat-simulator failed to start:', error);
  process.exit(1);
});
