import * as z from 'zod';

/** One dependency's state in the readiness answer. */
export const ReadinessCheckStatusSchema = z.object({
  status: z.enum(['ok', 'down']),
  /** Why the check failed (the driver's message); absent when ok. */
  error: z.string().optional(),
});
export type ReadinessCheckStatus = z.infer<typeof ReadinessCheckStatusSchema>;

/**
 * `GET /health/ready` when every dependency answers; otherwise the hub answers 503 `NOT_READY`
 * with the same `checks` under `details`. Keyed by dependency (`database`, later `redis`).
 */
export const ReadinessResponseSchema = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), ReadinessCheckStatusSchema),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponseSchema>;
