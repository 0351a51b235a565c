// Preload for a server process (`node --import <this file>`): appends the URL of every module it
// resolves, `import` and `require` alike, once each, to the file named by MODULE_URL_LOG.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const log = process.env.MODULE_URL_LOG;
if (!log) throw new Error('module-url-recorder: set MODULE_URL_LOG');
const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (!seen.has(result.url)) {
      seen.add(result.url);
      appendFileSync(log, `${result.url}\n`);
    }
    return result;
  },
});
