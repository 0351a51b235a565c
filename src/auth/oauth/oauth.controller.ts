import { Controller, Get, Headers, Param, Query, Redirect, Req, Res } from '@nestjs/common';
import { Public } from '../decorators/public.decorator.js';
import { OAuthService, type OAuthRedirect } from './oauth.service.js';

/** Fastify's and Express's request, as far as the web login reads it. */
interface HttpRequest {
  protocol?: string;
  /** Express: the path before any router stripped its mount point. */
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The web login's two routes (Official Account pages and website QR login), declared with the
 * `oauthRoutes: true` extra. Both are `@Public()` and answer 302. The OpenAPI description is applied by
 * `documentAuthApi()` (openapi/).
 * @internal
 */
@Controller('auth/oauth')
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Get(':appid/authorize')
  @Public()
  @Redirect()
  authorize(
    @Param('appid') appid: string,
    @Query('redirect') redirect: unknown,
    @Query('scope') scope: unknown,
    @Query('merge') merge: unknown,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) reply: unknown,
  ): { url: string; statusCode: number } {
    return send(reply, this.oauth.start(appid, { redirect, scope, merge }, requestBase(request)));
  }

  @Get(':appid/callback')
  @Public()
  @Redirect()
  async callback(
    @Param('appid') appid: string,
    @Query('code') code: unknown,
    @Query('state') state: unknown,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) reply: unknown,
    @Headers('cookie') cookie?: string,
    @Headers('user-agent') userAgent?: string,
  ): Promise<{ url: string; statusCode: number }> {
    const base = requestBase(request);
    const answer = await this.oauth.callback(
      appid,
      { code, state },
      cookie,
      base,
      userAgent ?? null,
      request,
    );
    return send(reply, answer);
  }
}

/** Sets the cookie and no-store (the answer is per browser), and hands the location to `@Redirect()`. */
function send(reply: unknown, answer: OAuthRedirect): { url: string; statusCode: number } {
  const target = reply as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  };
  const set = (name: string, value: string) =>
    typeof target.header === 'function' ? target.header(name, value) : target.setHeader?.(name, value);
  set('Set-Cookie', answer.setCookie);
  set('Cache-Control', 'no-store');
  set('Referrer-Policy', 'no-referrer');
  return { url: answer.location, statusCode: 302 };
}

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The origin the browser used, and any global prefix in front of `/auth/oauth/`, for the callback URL
 * when no `publicBaseUrl` is configured.
 */
function requestBase(request: HttpRequest): string {
  const host = request.headers.host;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
  const prefix = path.slice(0, Math.max(0, path.lastIndexOf('/auth/oauth/')));
  return `${protocol}://${typeof host === 'string' && HOST.test(host) ? host : 'localhost'}${prefix}`;
}
