// `node --import ./trace-loads.mjs …`: records every module URL the ESM loader resolves into the
// file named by LOAD_TRACE, so the packed-consumer test can see what a token-only app loads.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
