/**
 * One dependency the hub needs to serve requests. Checks are listed under READINESS_CHECKS in
 * HealthModule; a Redis check joins the list when the bus gets a Redis bridge.
 */
export interface ReadinessCheck {
  /** Key in the answer's `checks` (`database`, `redis`). */
  readonly name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
