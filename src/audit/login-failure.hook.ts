import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditConfig, type AuditConfig } from '../config/audit.config.js';
import { responseErrorCode } from '../http/response-error-code.js';
import { AuditRecorder } from './audit-event.js';

/** The mini-program login and the Cloud Hosting login (the web login answers its failures with redirects). */
const LOGIN_ROUTES = new Set(['/auth/login', '/auth/login/cloud-hosting']);

/**
 * Records every failed `POST /auth/login` and `POST /auth/login/cloud-hosting` (`login.failed` with the error code it was answered with).
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
      if (
        reply.statusCode >= 400 &&
        request.method === 'POST' &&
        LOGIN_ROUTES.has(request.routeOptions.url ?? '')
      ) {
        this.recordFailure(request, reply);
      }
      done();
    });
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
