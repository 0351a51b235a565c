// Module customization hooks (run on the loader thread): append each resolved URL to LOAD_TRACE.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.LOAD_TRACE) appendFileSync(process.env.LOAD_TRACE, `${resolved.url}\n`);
  return resolved;
}
