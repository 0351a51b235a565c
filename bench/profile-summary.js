// Summarises a V8 .cpuprofile as shares of the busy time (idle and the profiler's own work left out):
// - by package, charging native code and Node's own modules to the nearest package (or app file) that
//   called them, so socket writes made by ioredis count as ioredis;
// - by function (self time), naming native frames after their nearest JavaScript caller.
// Used by `BENCH_PROFILE=1 npm run bench`; also runs on its own:
//   node bench/profile-summary.js bench/.tmp/<run>/B.cpuprofile [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const PROFILER_FRAMES = /node:inspector|bench\/cpu-profile-hook\.js/;

/** @returns {{ busyMs: number, idleMs: number, profilerMs: number, functions: Row[], packages: Row[] }} */
export function summariseProfile(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map();
  // timeDeltas[i] is the time between sample i-1 and sample i; charge it to sample i's function.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const stack = (id) => {
    const frames = [];
    for (let at = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at).callFrame);
    return frames;
  };

  const functions = new Map();
  const packages = new Map();
  let idleUs = 0;
  let busyUs = 0;
  let profilerUs = 0;
  for (const [id, us] of selfUs) {
    const [frame, ...callers] = stack(id);
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if ([frame, ...callers].some((f) => PROFILER_FRAMES.test(f.url))) {
      profilerUs += us;
      continue;
    }
    busyUs += us;
    const pseudo = !frame.url && frame.functionName.startsWith('(');
    const jsCaller = callers.find((f) => f.url);
    const fn = frame.url
      ? describeFrame(frame)
      : jsCaller && !pseudo
        ? `${frame.functionName || '(native)'} ← ${describeFrame(jsCaller)}`
        : frame.functionName || '(native)';
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const owner = pseudo ? null : [frame, ...callers].find((f) => f.url && !f.url.startsWith('node:'));
    const pkg = pseudo
      ? frame.functionName
      : owner
        ? packageOf(owner.url)
        : `node core (${[frame, ...callers].findLast((f) => f.url)?.url ?? 'native'})`;
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    profilerMs: profilerUs / 1000,
    functions: rows(functions),
    packages: rows(packages),
  };
}

/** A Markdown rendering of {@link summariseProfile}. */
export function formatSummary(title, summary, top = 15) {
  return summaryMarkdown({
    title,
    intro: `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms (the profiler's own ${summary.profilerMs.toFixed(0)} ms left out).`,
    columns: ['ms', 'share of busy'],
    value: (row) => row.ms.toFixed(0),
    packages: summary.packages,
    functions: summary.functions,
    functionsHeading: 'Function (self time)',
    top,
  });
}

/**
 * The Markdown both summaries print (this one and allocation-summary.js): a title and a line, then the
 * package table and the function table, each row a name, a value and its share.
 */
export function summaryMarkdown({
  title,
  intro,
  columns,
  value,
  packages,
  functions,
  functionsHeading,
  top,
}) {
  const table = (heading, rows) => [
    `| ${heading} | ${columns[0]} | ${columns[1]} |`,
    '| --- | ---: | ---: |',
    ...rows.slice(0, top).map((r) => `| \`${r.name}\` | ${value(r)} | ${(r.share * 100).toFixed(1)} % |`),
  ];
  return [
    `#### ${title}`,
    '',
    intro,
    '',
    ...table('Package (with the Node and native work it called)', packages),
    '',
    ...table(functionsHeading, functions),
    '',
  ].join('\n');
}

/** `name file:line` of a frame, paths shortened to the package or the app's dist/. */
export function describeFrame({ functionName, url, lineNumber }) {
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

function shortUrl(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  return dist >= 0 ? path.slice(dist + 1) : path;
}

/** The npm package (or `app: src/<file>.ts`) a script URL belongs to. */
export function packageOf(url) {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = path.match(/\/dist\/src\/(.+)\.js$/);
  return src ? `app: src/${src[1]}.ts` : path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '20'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(1);
  }
  console.log(formatSummary(file, summariseProfile(file, Number(top)), Number(top)));
}
