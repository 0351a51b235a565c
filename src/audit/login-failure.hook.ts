import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditConfig, type AuditConfig } from '../config/audit.config.js';
import { responseErrorCode } from '../http/response-error-code.js';
import { AuditRecorder } from './audit-event.js';

/** The mini-program login and the Cloud Hosting login: failures are answered with a 4xx/5xx. */
const LOGIN_ROUTES = new Set(['/auth/login', '/auth/login/cloud-hosting']);
/** The web login's callback: a failure is a 302 to the page with `#error=<CODE>` (or a 4xx). */
const WEB_LOGIN_CALLBACK = '/auth/oauth/:appid/callback';

/**
 * Records every failed `POST /auth/login`, `POST /auth/login/cloud-hosting` and web login (`login.failed` with the error code it was answered with).
 * Most failures never reach the auth module's code: a malformed body, the rate limiter's 429, an invalid
 * or used code and WeChat being down all end in guards and the strategy. The response is where they all
 * meet, hence an onResponse hook (after the answer is sent: it adds nothing to the login's latency).
 */
@Injectable()
export class LoginFailureAudit implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly recorder: AuditRecorder,
    @Inject(auditConfig.KEY) private readonly config: AuditConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.enabled) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? '';
      if (reply.statusCode >= 400 && request.method === 'POST' && LOGIN_ROUTES.has(route)) {
        this.recordFailure(request, reply);
      } else if (route === WEB_LOGIN_CALLBACK) {
        this.recordWebLoginFailure(request, reply);
      }
      done();
    });
  }

  /** A web login that ended on the page with `#error=<CODE>`, or was refused outright (4xx/5xx). */
  private recordWebLoginFailure(request: FastifyRequest, reply: FastifyReply): void {
    const appid = (request.params as { appid?: unknown } | undefined)?.appid;
    let code: string | null;
    if (reply.statusCode >= 400) {
      code = responseErrorCode(request) ?? `HTTP_${reply.statusCode}`;
    } else {
      const location = reply.getHeader('location');
      // Only the error's name is read from the fragment; a token there is never looked at.
      const match =
        typeof location === 'string' ? /#(?:.*&)?error=([A-Z_]{1,64})(?:&|$)/.exec(location) : null;
      code = match ? match[1] : null;
    }
    if (code === null) return;
    this.recorder.record(
      {
        kind: 'login.failed',
        code,
        appid: typeof appid === 'string' ? appid : null,
        detail: { status: reply.statusCode, route: 'web' },
      },
      request,
    );
  }

  private recordFailure(request: FastifyRequest, reply: FastifyReply): void {
    // An answer that bypassed the error filter has no code of ours: keep its status at least.
    const code = responseErrorCode(request) ?? `HTTP_${reply.statusCode}`;
    const body = request.body as { appid?: unknown } | null | undefined;
    // The requested appid is no secret (the code is, and is never read here); absent: the default app.
    const appid = typeof body?.appid === 'string' ? body.appid : null;
    this.recorder.record(
      { kind: 'login.failed', code, appid, detail: { status: reply.statusCode } },
      request,
    );
  }
}
