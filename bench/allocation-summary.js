// Summarises a V8 sampling heap profile (.heapprofile, taken with the objects later collected by the GC
// kept in) as bytes allocated per request: by package (a Node or native frame charged to the nearest
// package or app file that called it, as profile-summary.js does for CPU time) and by function (self).
// Allocation is steadier than throughput on this VM (B moves ±25 % between repetitions of one build),
// so a change that removes work from a request shows here when the bench cannot resolve it.
// Used by `BENCH_PROFILE=1 BENCH_PROFILE_ALLOC=1 npm run bench`; also runs on its own:
//   node bench/allocation-summary.js bench/.tmp/<run>/B.heapprofile <requests> [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describeFrame, packageOf, summaryMarkdown } from './profile-summary.js';

const PROFILER_FRAMES = /node:inspector|bench\/cpu-profile-hook\.js/;

/** @returns {{ bytesPerRequest: number, packages: Row[], functions: Row[] }} */
export function summariseAllocations(file, requests, top = 20) {
  const { head } = JSON.parse(readFileSync(file, 'utf8'));
  const packages = new Map();
  const functions = new Map();
  let total = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  // Iterative walk: the allocation tree is as deep as the deepest stack.
  const pending = [{ node: head, owner: null, caller: null }];
  while (pending.length > 0) {
    const { node, owner, caller } = pending.pop();
    const frame = node.callFrame;
    if (PROFILER_FRAMES.test(frame.url)) continue;
    const isJs = Boolean(frame.url);
    const nextOwner = isJs && !frame.url.startsWith('node:') ? frame : owner;
    const nextCaller = isJs ? frame : caller;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(packages, nextOwner ? packageOf(nextOwner.url) : 'node core and native', node.selfSize);
      const name = isJs
        ? describeFrame(frame)
        : `${frame.functionName || '(native)'}${caller ? ` ← ${describeFrame(caller)}` : ''}`;
      add(functions, name, node.selfSize);
    }
    for (const child of node.children ?? [])
      pending.push({ node: child, owner: nextOwner, caller: nextCaller });
  }
  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytesPerRequest: bytes / requests, share: bytes / total }));
  return { bytesPerRequest: total / requests, packages: rows(packages), functions: rows(functions) };
}

/** A Markdown rendering of {@link summariseAllocations}. */
export function formatAllocations(title, summary, top = 15) {
  return summaryMarkdown({
    title,
    intro: `Allocated: ${Math.round(summary.bytesPerRequest).toLocaleString('en-US')} bytes per request (sampled, garbage included).`,
    columns: ['bytes per request', 'share'],
    value: (row) => Math.round(row.bytesPerRequest),
    packages: summary.packages,
    functions: summary.functions,
    functionsHeading: 'Function (self)',
    top,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, requests, top = '20'] = process.argv.slice(2);
  if (!file || !(Number(requests) > 0)) {
    console.error('usage: node bench/allocation-summary.js <file.heapprofile> <requests> [top]');
    process.exit(1);
  }
  console.log(
    formatAllocations(file, summariseAllocations(file, Number(requests), Number(top)), Number(top)),
  );
}
