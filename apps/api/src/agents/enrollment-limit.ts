import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors';
import { RateCounter, type RateBudget } from '../common/rate-counter';

/** Enrollment requests (and polls) per client address per minute. */
export const ENROLLMENTS_PER_MINUTE = 30;

const BUDGET: RateBudget = {
  name: 'enroll.address',
  limit: ENROLLMENTS_PER_MINUTE,
  windowMs: 60_000,
  maxTracked: 10_000,
};

/**
 * The agent listener's limit on its unauthenticated routes (`POST /enroll`, `GET /enroll/:id`):
 * ENROLLMENTS_PER_MINUTE per client address, then refused for a minute. Counted by the
 * RateCounter, so replicas behind one proxy share the budget.
 */
@Injectable()
export class EnrollmentLimit {
  constructor(private readonly counter: RateCounter) {}

  /** Counts one request from `address`; throws 429 RATE_LIMITED (details.retry_after_s) past the limit. */
  async hit(address: string): Promise<void> {
    const wait = await this.counter.hit([[BUDGET, address]]);
    if (wait !== null) {
      throw new AppError('RATE_LIMITED', 'too many enrollment requests', { retry_after_s: wait });
    }
  }
}
