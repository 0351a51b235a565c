import { describe, expect, test } from '@jest/globals';
import type { AuditEventInput } from '../audit/audit-event.js';
import { AuditRecorder } from '../audit/audit-event.js';
import { AppMetrics } from './app-metrics.js';

class FakeAuditRecorder extends AuditRecorder {
  current = { backlog: 0, dropped: 0, failedWrites: 0 };
  record(_event: AuditEventInput): void {}
  stats() {
    return this.current;
  }
}

const value = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${series} `))
      ?.split(' ')[1],
  );

describe('AppMetrics', () => {
  test('reads the audit backlog and follows its since-start counts when scraped', async () => {
    const audit = new FakeAuditRecorder();
    const metrics = new AppMetrics(audit);
    audit.current = { backlog: 7, dropped: 2, failedWrites: 1 };
    let text = (await metrics.render()).body;
    expect(value(text, 'weapp_auth_audit_backlog')).toBe(7);
    expect(value(text, 'weapp_auth_audit_dropped_events_total')).toBe(2);
    audit.current = { backlog: 0, dropped: 5, failedWrites: 1 };
    text = (await metrics.render()).body;
    expect(value(text, 'weapp_auth_audit_backlog')).toBe(0);
    expect(value(text, 'weapp_auth_audit_dropped_events_total')).toBe(5);
    expect(value(text, 'weapp_auth_audit_failed_writes_total')).toBe(1);
  });

  test('without an audit recorder there are no audit series', async () => {
    expect((await new AppMetrics(null).render()).body).not.toContain('weapp_auth_audit_');
  });

  test('counts WeChat calls by API and errcode or failure kind, with a latency histogram', async () => {
    const metrics = new AppMetrics(null);
    metrics.observeWechatCall({ api: 'jscode2session', errcode: 0, durationMs: 30 });
    metrics.observeWechatCall({ api: 'jscode2session', errcode: 0, durationMs: 40 });
    metrics.observeWechatCall({ api: 'jscode2session', failure: 'TIMEOUT', durationMs: 5000 });
    const text = (await metrics.render()).body;
    expect(value(text, 'weapp_auth_wechat_calls_total{api="jscode2session",errcode="0"}')).toBe(2);
    expect(value(text, 'weapp_auth_wechat_calls_total{api="jscode2session",errcode="TIMEOUT"}')).toBe(1);
    expect(value(text, 'weapp_auth_wechat_call_duration_seconds_count{api="jscode2session"}')).toBe(3);
    expect(
      value(text, 'weapp_auth_wechat_call_duration_seconds_bucket{le="0.05",api="jscode2session"}'),
    ).toBe(2);
  });
});
