import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { MetricsConfig } from '../config/metrics.config.js';
import { AppMetrics } from './app-metrics.js';
import { DependencyProbe } from './dependency.probe.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsServer } from './metrics.server.js';
import { RequestMetricsHook } from './request-metrics.hook.js';

/**
 * Prometheus metrics. `METRICS_ENABLED=false` leaves everything out (comparison benchmarks); with
 * `METRICS_PORT`, `/metrics` is served on that port alone (MetricsServer), otherwise on the API port
 * behind an operator credential (MetricsController). Global, so the WeChat client's factory
 * (app.module.ts) can inject AppMetrics for its `observeCall`. bootstrap.ts registers the
 * RequestMetricsHook on Fastify.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: Pick<MetricsConfig, 'enabled' | 'port'>): DynamicModule {
    if (!config.enabled) return { module: MetricsModule };
    const separatePort = config.port !== undefined;
    const providers: Provider[] = [AppMetrics, RequestMetricsHook, DependencyProbe];
    if (separatePort) providers.push(MetricsServer);
    return {
      module: MetricsModule,
      global: true,
      controllers: separatePort ? [] : [MetricsController],
      providers,
      exports: [AppMetrics, RequestMetricsHook],
    };
  }
}
