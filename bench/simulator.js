// The WeChat simulator for `npm run bench`, in its own process so that it can be pinned next to the
// load generator. Quiet, and with a short request log: a benchmark mints and exchanges tens of
// thousands of codes, and the default 10,000-entry log would only cost memory.
import { WechatSimulator } from '../dist/src/wechat-simulator/index.js';

const simulator = await WechatSimulator.start({
  port: Number(process.env.BENCH_PORT ?? 0),
  host: '127.0.0.1',
  quiet: true,
  requestLogLimit: 10,
  // The app the benchmark's server is configured with (bench/run.js passes it).
  ...(process.env.BENCH_APP ? { apps: [JSON.parse(process.env.BENCH_APP)] } : {}),
});
console.log(`WeChat simulator on ${simulator.url}`);
process.on('SIGTERM', () => process.exit(0));
// Never outlive the benchmark, even when it is killed without a chance to clean up.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 1000).unref();
