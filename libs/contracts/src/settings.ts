import * as z from 'zod';

/** `POST /api/v1/settings/refresh`: seconds between two samples (local host, and agents). */
export const RefreshIntervalRequestSchema = z.strictObject({
  interval: z.number().int().min(1).max(3600),
});
export type RefreshIntervalRequest = z.infer<typeof RefreshIntervalRequestSchema>;

/** Payload of the `settings.interval` event: the sampling interval in seconds. */
export type RefreshIntervalEvent = RefreshIntervalRequest;

export const SettingsResponseSchema = z.object({
  /** Seconds between two samples. */
  refresh_interval: z.number().int(),
  /** How long each history tier is kept, seconds. */
  retention: z.object({ raw: z.number(), '1m': z.number(), '5m': z.number(), '1h': z.number() }),
  /** Shortest password the hub accepts (TYTO_PASSWORD_MIN_LENGTH), for the forms' hint. */
  password_min_length: z.number().int(),
});
export type SettingsResponse = z.infer<typeof SettingsResponseSchema>;
