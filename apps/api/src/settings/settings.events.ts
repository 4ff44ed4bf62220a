import type { RefreshIntervalEvent } from '@tyto/contracts';

/** Published at boot and on every change: the sampling interval, seconds. */
export const SETTINGS_INTERVAL = 'settings.interval';
export type SettingsIntervalEvent = RefreshIntervalEvent;
