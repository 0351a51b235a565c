import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException } from './api.exception.js';
import {
  apiError,
  describeErrors,
  ERROR_CATALOGUE,
  isErrorCode,
  STATUS_FALLBACK_CODES,
  type ErrorCatalogueEntry,
} from './error-catalogue.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
const catalogue: Record<string, ErrorCatalogueEntry> = ERROR_CATALOGUE;
const REGENERATE = 'regenerate it with `npm run build && node scripts/error-table.mjs --write`';

interface TableRow {
  code: string;
  status: number;
  meaning: string;
  clientAction: string;
}

/** The rows of the first table under docs/api.md's "### Error codes" heading. */
function readmeTable(): TableRow[] {
  const readme = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const start = readme.indexOf('\n### Error codes\n');
  expect(start).toBeGreaterThan(-1);
  const lines = readme.slice(start).split('\n').slice(2);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(first);
  const rows = table.slice(
    0,
    table.findIndex((line) => !line.startsWith('|')),
  );
  // Header and separator first.
  return rows.slice(2).map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const code = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0])?.[1];
    if (cells.length !== 4 || !code || !/^\d{3}$/.test(cells[1])) {
      throw new Error(`docs/api.md error table: cannot read the row ${JSON.stringify(line)}; ${REGENERATE}`);
    }
    return { code, status: Number(cells[1]), meaning: cells[2], clientAction: cells[3] };
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'wechat-simulator' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** A code argument: a literal `'CODE'` or a view's member `AuthErrorCode.CODE`. */
const CODE_ARGUMENT = /^(?:'([A-Z][A-Z0-9_]*)'|[A-Za-z]+ErrorCode\.([A-Z][A-Z0-9_]*))$/;

interface CodeUse {
  where: string;
  code: string;
  status?: number;
}

/** Every error code the source hands to ApiException or apiError, or puts in a `code:` field. */
function codesInSource(): { uses: CodeUse[]; unreadable: string[] } {
  const uses: CodeUse[] = [];
  const unreadable: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const name = relative(ROOT, file);
    // The class itself and apiError, whose code is a parameter.
    if (
      name === join('src', 'common', 'api.exception.ts') ||
      name === join('src', 'common', 'error-catalogue.ts')
    )
      continue;
    const text = readFileSync(file, 'utf8');
    const at = (index: number) => `${name}:${text.slice(0, index).split('\n').length}`;
    for (const match of text.matchAll(/new ApiException\(\s*([^,]*?)\s*,\s*([^,]*?)\s*,/g)) {
      const code = CODE_ARGUMENT.exec(match[2]);
      if (!code) unreadable.push(`${at(match.index)}: new ApiException(${match[1]}, ${match[2]}, …)`);
      else
        uses.push({
          where: at(match.index),
          code: code[1] ?? code[2],
          status: /^\d{3}$/.test(match[1]) ? Number(match[1]) : undefined,
        });
    }
    for (const match of text.matchAll(/\bapiError\(\s*'([^']*)'/g))
      uses.push({ where: at(match.index), code: match[1] });
    for (const match of text.matchAll(/\bcode:\s*'([A-Z][A-Z0-9_]+)'/g))
      uses.push({ where: at(match.index), code: match[1] });
  }
  return { uses, unreadable };
}

describe('ERROR_CATALOGUE', () => {
  test('every entry is an error status with a meaning and a client action, fit for a table cell', () => {
    for (const [code, { status, meaning, clientAction }] of Object.entries(catalogue)) {
      expect({ code, status: status >= 400 && status <= 599 }).toEqual({ code, status: true });
      for (const text of [meaning, clientAction]) {
        expect({ code, text, fit: text.length > 0 && !/[|\n]|\.$/.test(text) }).toEqual({
          code,
          text,
          fit: true,
        });
      }
    }
  });

  test('the status fallbacks are catalogue codes, one per status', () => {
    const statuses = STATUS_FALLBACK_CODES.map((code) => ERROR_CATALOGUE[code].status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  test('apiError takes its status from the catalogue', () => {
    const error = apiError('RATE_LIMITED', 'Slow down', { 'Retry-After': '3' });
    expect(error).toBeInstanceOf(ApiException);
    expect(error.getStatus()).toBe(429);
    expect(error.getResponse()).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: 'Slow down' });
    expect(error.headers).toEqual({ 'Retry-After': '3' });
    expect(apiError('USER_NOT_FOUND').message).toBe(ERROR_CATALOGUE.USER_NOT_FOUND.meaning);
  });

  test('describeErrors gives one Markdown description per status, naming each code', () => {
    const described = describeErrors('VALIDATION_FAILED', 'DATABASE_UNAVAILABLE', 'QUERY_NOT_ALLOWED');
    expect(Object.keys(described)).toEqual(['400', '503']);
    expect(described[400]).toBe(
      `\`VALIDATION_FAILED\`: ${ERROR_CATALOGUE.VALIDATION_FAILED.meaning}. ` +
        `${ERROR_CATALOGUE.VALIDATION_FAILED.clientAction}.\n\n` +
        `\`QUERY_NOT_ALLOWED\`: ${ERROR_CATALOGUE.QUERY_NOT_ALLOWED.meaning}. ` +
        `${ERROR_CATALOGUE.QUERY_NOT_ALLOWED.clientAction}.`,
    );
    expect(described[503]).toMatch(/^`DATABASE_UNAVAILABLE`: /);
  });

  test("docs/api.md's error table lists exactly the catalogue, with the same statuses and texts", () => {
    const rows = readmeTable();
    const inReadme = new Set(rows.map((row) => row.code));
    const problems = [
      ...Object.keys(catalogue)
        .filter((code) => !inReadme.has(code))
        .map((code) => `${code}: missing from docs/api.md`),
      ...rows.flatMap(({ code, status, meaning, clientAction }, index) => {
        if (!isErrorCode(code)) return [`${code}: in docs/api.md, not in ERROR_CATALOGUE`];
        if (rows.findIndex((row) => row.code === code) !== index) return [`${code}: listed twice`];
        const entry = catalogue[code];
        return [
          ...(status !== entry.status
            ? [`${code}: docs/api.md says ${status}, ERROR_CATALOGUE ${entry.status}`]
            : []),
          ...(meaning !== entry.meaning || clientAction !== entry.clientAction
            ? [`${code}: docs/api.md text differs from ERROR_CATALOGUE`]
            : []),
        ];
      }),
    ];
    expect({ problems, hint: REGENERATE }).toEqual({ problems: [], hint: REGENERATE });
  });

  test('every code the source throws is in the catalogue, with its status', () => {
    const { uses, unreadable } = codesInSource();
    // The scan still sees the throwers (a sanity floor, not an exact count).
    expect(uses.length).toBeGreaterThan(30);
    const problems = [
      ...unreadable.map((call) => `${call}: use apiError(code) or a literal code`),
      ...uses
        .filter(({ code }) => !isErrorCode(code))
        .map(({ where, code }) => `${where}: ${code} is not in ERROR_CATALOGUE`),
      ...uses
        .filter(
          ({ code, status }) =>
            isErrorCode(code) && status !== undefined && status !== catalogue[code].status,
        )
        .map(
          ({ where, code, status }) =>
            `${where}: ${code} thrown with ${status}, ERROR_CATALOGUE says ${catalogue[code].status}`,
        ),
    ];
    expect(problems).toEqual([]);
  });
});
