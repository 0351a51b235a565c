// Scenario A of `npm run bench`: the ceiling. A bare node:http server answering every request with a
// ~200-byte JSON body, serialised per request like a handler would. Port from BENCH_PORT.
import { createServer } from 'node:http';

const profile = {
  id: 1024,
  appid: 'wx0123456789abcdef',
  nickname: 'bench user',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/bench/132',
  gender: 0,
  phoneNumber: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const server = createServer((req, res) => {
  const body = JSON.stringify(profile);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => {
  console.log(`bare node:http on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
// Never outlive the benchmark, even when it is killed without a chance to clean up.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 1000).unref();
