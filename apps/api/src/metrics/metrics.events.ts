import type { MetricsSnapshot } from '@tyto/contracts';

/** Event names on the hub's bus, with their payloads. */
export const METRICS_SAMPLE = 'metrics.sample';
export type MetricsSampleEvent = MetricsSnapshot;
