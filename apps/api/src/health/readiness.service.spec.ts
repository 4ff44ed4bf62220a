import { AppError } from '../common/errors';
import type { ReadinessCheck } from './readiness';
import { CHECK_TIMEOUT_MS, ReadinessService } from './readiness.service';

const check = (name: string, run: () => Promise<void>): ReadinessCheck => ({ name, check: run });
const ok = (name: string) => check(name, async () => undefined);

async function notReadyDetails(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  expect({ status: (e as AppError).status, code: (e as AppError).code }).toEqual({
    status: 503,
    code: 'NOT_READY',
  });
  return (e as AppError).details;
}

describe(ReadinessService.name, () => {
  describe('ready', () => {
    afterEach(() => jest.useRealTimers());

    it('answers ok with every check when all answer', async () => {
      const service = new ReadinessService([ok('database'), ok('redis')]);
      await expect(service.ready()).resolves.toEqual({
        status: 'ok',
        checks: { database: { status: 'ok' }, redis: { status: 'ok' } },
      });
    });

    it('is NOT_READY when one check fails, and still reports the others', async () => {
      const failing = check('database', () => Promise.reject(new Error('ECONNREFUSED\nstack')));
      const service = new ReadinessService([failing, ok('redis')]);
      expect(await notReadyDetails(service.ready())).toEqual({
        checks: {
          database: { status: 'down', error: 'ECONNREFUSED' },
          redis: { status: 'ok' },
        },
      });
    });

    it('counts a check that does not answer in time as down', async () => {
      jest.useFakeTimers();
      const hanging = check('database', () => new Promise<void>(() => undefined));
      const answer = notReadyDetails(new ReadinessService([hanging]).ready());
      await jest.advanceTimersByTimeAsync(CHECK_TIMEOUT_MS);
      expect(await answer).toEqual({
        checks: {
          database: { status: 'down', error: `no answer within ${CHECK_TIMEOUT_MS} ms` },
        },
      });
    });
  });
});
