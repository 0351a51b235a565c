import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bigger than any real WeChat request; stops a runaway client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/** @internal Thrown by `readBody` when the body exceeds 1 MiB. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads the whole request body as UTF-8 (empty string when there is none). @internal */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body over 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a complete answer with an explicit Content-Length, unless the client is already gone. @internal */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  text: string,
): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(text) };
  if (contentType) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(text);
}

/** Control API answers: JSON, or no body for 204. @internal */
export function sendJson(res: ServerResponse, status: number, value?: unknown): void {
  if (status === 204 || value === undefined) {
    send(res, status, undefined, '');
    return;
  }
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
