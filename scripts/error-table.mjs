// Prints docs/api.md's "### Error codes" table from ERROR_CATALOGUE (src/common/error-catalogue.ts);
// `--write` puts it into docs/api.md. Reads the compiled catalogue: run `npm run build` first.
// src/common/error-catalogue.spec.ts fails when the docs/api.md table and the catalogue differ.
import { readFile, writeFile } from 'node:fs/promises';
import prettier from 'prettier';

const root = new URL('../', import.meta.url);
const { ERROR_CATALOGUE } = await import(new URL('dist/src/common/error-catalogue.js', root).href);

const rows = Object.entries(ERROR_CATALOGUE).map(
  ([code, { status, meaning, clientAction }]) => `| \`${code}\` | ${status} | ${meaning} | ${clientAction} |`,
);
const raw = [
  '| `code` | Status | Meaning | What the client does |',
  '| --- | --- | --- | --- |',
  ...rows,
].join('\n');
const options = { ...(await prettier.resolveConfig(new URL('docs/api.md', root))), parser: 'markdown' };
const table = (await prettier.format(raw, options)).trimEnd();

if (!process.argv.includes('--write')) {
  console.log(table);
} else {
  const readmeUrl = new URL('docs/api.md', root);
  const readme = await readFile(readmeUrl, 'utf8');
  // The first table after the heading, whatever its rows.
  const section = /(### Error codes\n(?:(?!\|)[^\n]*\n)*?)((?:\|[^\n]*\n)+)/;
  if (!section.test(readme)) throw new Error('docs/api.md has no "### Error codes" table');
  await writeFile(
    readmeUrl,
    readme.replace(section, (_all, head) => `${head}${table}\n`),
  );
  console.log(`docs/api.md: ${rows.length} error codes`);
}
