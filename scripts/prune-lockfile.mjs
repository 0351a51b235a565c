// The npm registry reachable from this project's machines serves only the Linux builds of some
// platform-specific optional packages (e.g. @unrs/resolver-binding-*). `npm install` then writes a
// lockfile that names the missing ones as optional dependencies without entries, and `npm ci`
// refuses it ("Missing: … from lock file"). This drops those dangling optional edges.
// Run after every `npm install`: `node scripts/prune-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const present = new Set(Object.keys(lock.packages).map((key) => key.replace(/^.*node_modules\//, '')));
let pruned = 0;
for (const entry of Object.values(lock.packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!present.has(name)) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`pruned ${pruned} dangling optional dependencies from package-lock.json`);
