import { Controller, Get, Inject, Param, Res, StreamableFile } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '../swagger/api-docs.decorators.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Public } from '../auth/index.js';
import { profileConfig } from '../config/profile.config.js';
import { AVATAR_FILE_NAME as AVATAR_FILE } from './avatar.constants.js';
import { ApiErrorCodes } from './profile-api.decorators.js';
import { avatarNotFound } from './profile.errors.js';

const CONTENT_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

interface HeaderReply {
  header(name: string, value: string | number): unknown;
}

/**
 * Serves stored avatars publicly: mini programs load them in `<image>`, which sends no token.
 * A plain route rather than @fastify/static, whose ESM-only content-disposition@3 jest cannot load.
 */
@ApiTags('users')
@Public()
@Controller('avatars')
export class AvatarFilesController {
  constructor(@Inject(profileConfig.KEY) private readonly config: ConfigType<typeof profileConfig>) {}

  @Get(':file')
  @ApiOperation({
    summary: 'An uploaded avatar (public, immutable)',
    description:
      'The URL `POST /users/me/avatar` put in avatarUrl: a re-encoded square JPEG, content-addressed, so cached ' +
      "for a year. Served with `Content-Security-Policy: default-src 'none'` and `nosniff`.",
  })
  @ApiParam({
    name: 'file',
    description:
      'sha256 of the stored image + extension (`.jpg`; `.png`/`.webp` for files stored before re-encoding)',
    example: '3f2a9c1e5b7d8f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a6c8e0b2d4f6a.jpg',
  })
  @ApiOkResponse({
    description: 'The image, with its type from the file extension',
    content: Object.fromEntries(
      Object.values(CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
  })
  @ApiErrorCodes('AVATAR_NOT_FOUND')
  async file(
    @Param('file') file: string,
    @Res({ passthrough: true }) reply: HeaderReply,
  ): Promise<StreamableFile> {
    const match = AVATAR_FILE.exec(file);
    if (!match) throw avatarNotFound();
    const path = join(this.config.avatarDir, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw avatarNotFound();
    reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    reply.header('X-Content-Type-Options', 'nosniff');
    // Opened directly in a browser tab, an image is a document: it may run, load and embed nothing.
    reply.header('Content-Security-Policy', "default-src 'none'");
    return new StreamableFile(createReadStream(path), { type: CONTENT_TYPES[match[1]], length: info.size });
  }
}
