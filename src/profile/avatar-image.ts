import type { Sharp, SharpOptions } from 'sharp';

/** The one format every stored avatar has: JPEG displays everywhere `<image>` runs (WebP needs a flag there). */
export const STORED_AVATAR_EXTENSION = 'jpg';

/** Formats accepted as input, by the name sharp's header probe gives them. */
const ACCEPTED_FORMATS = new Set(['png', 'jpeg', 'webp']);

/** Why an upload could not become a stored avatar. */
export class AvatarImageError extends Error {
  override readonly name = 'AvatarImageError';

  constructor(readonly reason: 'unsupported' | 'dimensions') {
    super(
      reason === 'unsupported' ? 'not a decodable PNG, JPEG or WebP image' : 'declared dimensions too large',
    );
  }
}

export interface AvatarImageOptions {
  /** Side of the square output, in pixels. */
  size: number;
  /** Largest width or height the input may declare. */
  maxSourceDimension: number;
}

type SharpFactory = (input: Buffer, options: SharpOptions) => Sharp;
let sharpFactory: Promise<SharpFactory> | undefined;

/**
 * Re-encodes run one at a time per process. Decoding a 6000×6000 image takes ~30 MB of native memory
 * for ~40 ms; four at once (libuv's thread pool) measured +125 MB RSS, outside the V8 heap cap. In
 * turn, a burst of uploads costs latency instead, and the login keeps the other core.
 */
let reencodeQueue: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = reencodeQueue.then(task, task);
  reencodeQueue = run.catch(() => undefined);
  return run;
}

/**
 * sharp (libvips) is loaded on the first upload, not at start-up: it adds tens of MB of native code
 * that the login and guarded routes never use. One libvips worker thread and no operation cache: an
 * avatar is small and decoded once, and the cache would keep recent inputs in memory.
 */
function loadSharp(): Promise<SharpFactory> {
  sharpFactory ??= import('sharp').then(({ default: sharp }) => {
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return sharpFactory;
}

/**
 * Turns an uploaded image into the stored avatar: decoded and re-encoded as a `size`×`size` JPEG
 * (centre-cropped, turned upright by its EXIF orientation, transparency on white). Only pixels survive:
 * metadata (EXIF GPS, comments), trailing bytes (an HTML or script payload after the image data) and
 * extra frames are gone, so what is served is an image and nothing else.
 *
 * The declared width and height are read from the header first and refused past `maxSourceDimension`,
 * so a small file declaring a huge canvas (a decompression bomb) is never decoded. A truncated or
 * corrupt image is refused rather than stored half-grey.
 */
export function reencodeAvatar(bytes: Buffer, options: AvatarImageOptions): Promise<Buffer> {
  return oneAtATime(() => reencode(bytes, options));
}

async function reencode(bytes: Buffer, options: AvatarImageOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  let metadata: Awaited<ReturnType<Sharp['metadata']>>;
  try {
    // A header probe only (nothing is decoded), without a pixel limit so that a bomb reports its size.
    metadata = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch {
    throw new AvatarImageError('unsupported');
  }
  if (!metadata.format || !ACCEPTED_FORMATS.has(metadata.format)) throw new AvatarImageError('unsupported');
  const { width, height } = metadata;
  if (!width || !height) throw new AvatarImageError('unsupported');
  if (width > options.maxSourceDimension || height > options.maxSourceDimension) {
    throw new AvatarImageError('dimensions');
  }
  const image = sharp(bytes, {
    failOn: 'error',
    limitInputPixels: options.maxSourceDimension ** 2,
    sequentialRead: true,
    animated: false,
  });
  try {
    return await image
      .rotate()
      .resize(options.size, options.size, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
  } catch {
    throw new AvatarImageError('unsupported');
  }
}
