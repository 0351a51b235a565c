// Preloaded into the app by `BENCH_PROFILE=1 npm run bench` (node --import). Messages on the IPC
// channel drive a CPU profile: 'start', then 'stop' writes BENCH_PROFILE_DIR/<name>.cpuprofile and
// answers { written }; 'memory' answers process.memoryUsage() and the V8 heap spaces, then the heap
// used after a full GC, in MB. The benchmark brackets one extra, unscored measurement with them, so a profile
// holds one scenario only. (Signals will not do: Nest's shutdown hooks treat SIGUSR2 as a shutdown,
// and --cpu-prof covers the whole process and is lost when Nest re-raises SIGTERM.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

process.on('message', async (message) => {
  try {
    if (message?.profile === 'start') {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
      if (process.env.BENCH_PROFILE_ALLOC === '1') {
        await post('HeapProfiler.enable');
        await post('HeapProfiler.startSampling', {
          samplingInterval: 8192,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      }
      process.send({ profile: 'started' });
    } else if (message?.profile === 'memory') {
      const mb = (bytes) => Math.round(bytes / 1048576);
      const usage = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)]));
      const spaces = Object.fromEntries(
        getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.space_size)]),
      );
      // The benchmark starts the app with --expose-gc: a full GC separates live memory from garbage.
      globalThis.gc?.();
      const afterGc = mb(process.memoryUsage().heapUsed);
      process.send({ profile: 'memory', usage, spaces, afterGc });
    } else if (message?.profile === 'stop') {
      const { profile } = await post('Profiler.stop');
      const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `${message.name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      if (process.env.BENCH_PROFILE_ALLOC === '1') {
        const { profile: heap } = await post('HeapProfiler.stopSampling');
        writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(heap));
      }
      process.send({ profile: 'written', file });
    }
  } catch (error) {
    process.send({ profile: 'error', error: String(error) });
  }
});
// The channel must not keep the app alive on its own.
process.channel?.unref();
