import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchedLineWriter } from './batched-line-writer.js';

function tempFile(): { fd: number; read: () => string } {
  const path = join(mkdtempSync(join(tmpdir(), 'lines-')), 'out.log');
  const fd = openSync(path, 'w');
  return { fd, read: () => readFileSync(path, 'utf8') };
}

describe('BatchedLineWriter', () => {
  test('holds lines until a batch is full, then writes them in order in one go', () => {
    const file = tempFile();
    const writer = new BatchedLineWriter(file.fd, { batchLength: 30 });
    writer.write('first line\n');
    writer.write('second line\n');
    expect(file.read()).toBe('');
    writer.write('third line 😀\n');
    expect(file.read()).toBe('first line\nsecond line\nthird line 😀\n');
    writer.write('fourth\n');
    writer.flushSync();
    expect(file.read()).toBe('first line\nsecond line\nthird line 😀\nfourth\n');
    closeSync(file.fd);
  });

  test('a stalled reader costs dropped lines, reported once it reads again, and never reorders', async () => {
    // cat with nobody reading its stdout: its stdin pipe fills up and our writes hit EAGAIN.
    const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
    cat.stdout.pause();
    const fd = (cat.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const writer = new BatchedLineWriter(fd, { batchLength: 1024, maxPending: 64 * 1024 });
    const line = (i: number): string => `${JSON.stringify({ i, pad: 'x'.repeat(100) })}\n`;
    let accepted = 0;
    let i = 0;
    while (i < 10_000) if (writer.write(line(i++))) accepted++;
    expect(accepted).toBeLessThan(i); // the pipes (~128 kB) and the 64 kB allowance are full

    const received: Buffer[] = [];
    cat.stdout.on('data', (chunk: Buffer) => received.push(chunk));
    cat.stdout.resume();
    await new Promise((resolve) => setTimeout(resolve, 200));
    writer.flushSync();
    cat.stdin.end();
    await new Promise((resolve) => cat.once('close', resolve));

    const lines = Buffer.concat(received).toString('utf8').trimEnd().split('\n');
    const numbers = lines.slice(0, -1).map((text) => (JSON.parse(text) as { i: number }).i);
    expect(numbers).toEqual([...Array(numbers.length).keys()]); // in order, no gaps before the drop
    expect(numbers.length).toBe(accepted);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      level: 40,
      msg: `${i - accepted} log lines dropped: stdout was not being read`,
    });
  });
});
