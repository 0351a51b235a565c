import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import type { IncomingMessage } from 'node:http';

export interface MultipartLimits {
  /** Bytes of the file part. */
  fileSize: number;
  /** Non-file fields accepted before the file part. */
  fields: number;
  /** Bytes of one field value. */
  fieldSize: number;
  /** Parts of any kind. */
  parts: number;
}

/** Why no file could be read: the file was over the limit, or there was no usable file part. */
export class MultipartFileError extends Error {
  override readonly name = 'MultipartFileError';

  constructor(readonly reason: 'too-large' | 'no-file') {
    super(reason === 'too-large' ? 'file part over the size limit' : 'no file part in the body');
  }
}

/**
 * The bytes of the first file part of a `multipart/form-data` request (wx.uploadFile sends one),
 * whatever its field name. Rejects with MultipartFileError('no-file') for a body that is not
 * multipart, is malformed, exceeds the part limits or holds no file, and 'too-large' as soon as the
 * file passes `limits.fileSize` (the rest of the body is discarded, never buffered).
 *
 * Our own rather than @fastify/multipart's: that plugin adds two async hooks to every request of the
 * app, ~3 µs on each guarded GET (bench/), for the one route that takes uploads.
 */
export function readFirstFile(raw: IncomingMessage, limits: MultipartLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({ headers: raw.headers as BusboyHeaders, limits: { ...limits, files: 1 } });
    } catch {
      // Not multipart, or no boundary.
      reject(new MultipartFileError('no-file'));
      return;
    }
    let settled = false;
    // At most limits.fileSize bytes (busboy stops passing data on past it), dropped as soon as the
    // outcome is an error: a refused or abandoned upload keeps nothing in memory.
    let chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: MultipartFileError | null, bytes?: Buffer): void => {
      if (settled) return;
      settled = true;
      chunks = [];
      if (error) reject(error);
      else resolve(bytes as Buffer);
    };
    parser.on('file', (_field, file) => {
      file.on('data', (chunk: Buffer) => {
        if (settled) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      file.on('limit', () => settle(new MultipartFileError('too-large')));
      file.on('end', () => {
        if (!file.truncated && !settled) settle(null, Buffer.concat(chunks, size));
      });
    });
    // A part or field limit passed before any file counts as "no usable file part".
    parser.on('partsLimit', () => settle(new MultipartFileError('no-file')));
    parser.on('fieldsLimit', () => settle(new MultipartFileError('no-file')));
    parser.on('error', () => settle(new MultipartFileError('no-file')));
    parser.on('finish', () => settle(new MultipartFileError('no-file')));
    raw.on('error', () => settle(new MultipartFileError('no-file')));
    // The client went away or REQUEST_TIMEOUT_MS cut a stalled upload off (bootstrap.ts): the parser
    // will never finish, so settle here rather than leave the request pending.
    raw.on('close', () => {
      if (!raw.complete) settle(new MultipartFileError('no-file'));
    });
    raw.pipe(parser);
  });
}
