import { HistoryQuerySchema, LoginRequestSchema, PathIdSchema } from '@tyto/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors';
import { queryShapeIssues, ZodPipe } from './validation';

/** The AppError a pipe throws for this input (fails the test when it passes). */
function refusal(pipe: ZodPipe<unknown>, value: unknown): AppError {
  try {
    pipe.transform(value);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe(ZodPipe.name, () => {
  describe('body', () => {
    const pipe = new ZodPipe(LoginRequestSchema);

    it('refuses unknown keys and control characters with the issues', () => {
      const e = refusal(pipe, { username: 'admin\u0000', password: 'x', extra: 1 });
      expect([e.status, e.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(e.details['issues']).toEqual(
        expect.arrayContaining([
          { path: 'username', message: 'must not contain control characters' },
          { path: '', message: expect.stringContaining('extra') },
        ]),
      );
    });
  });

  describe('query', () => {
    const pipe = new ZodPipe(HistoryQuerySchema, 'query');

    it('takes each parameter once', () => {
      expect(pipe.transform({ agent_id: 'web-01' })).toMatchObject({ agent_id: 'web-01' });
    });

    it.each([
      ['repeated', { agent_id: ['a', 'b'] }, 'agent_id', 'parameter given more than once'],
      [
        'bracketed',
        { 'agent_id[]': 'x' },
        'agent_id[]',
        'bracketed parameter names are not accepted',
      ],
      ['nested', { 'a[b]': 'c' }, 'a[b]', 'bracketed parameter names are not accepted'],
    ])('refuses a %s parameter', (_, query, path, message) => {
      expect(refusal(pipe, query).details['issues']).toEqual([{ path, message }]);
    });

    it('refuses an unknown parameter', () => {
      expect(refusal(pipe, { agnet_id: 'x' }).details['issues']).toEqual([
        { path: '', message: expect.stringContaining('agnet_id') },
      ]);
    });
  });

  describe('path parameter', () => {
    const pipe = new ZodPipe(PathIdSchema, 'param:id');

    it('passes an id through and reports a bad one under its name', () => {
      expect(pipe.transform('alert-manager')).toBe('alert-manager');
      expect(refusal(pipe, '\u0000').details['issues']).toEqual([
        { path: 'id', message: 'must not contain control characters' },
      ]);
    });
  });
});

describe(queryShapeIssues.name, () => {
  it('finds nothing wrong with plain parameters', () => {
    expect(queryShapeIssues({ a: '1', b: '' })).toEqual([]);
    expect(queryShapeIssues(undefined)).toEqual([]);
  });
});

describe('controllers', () => {
  // Every input goes through a contract schema: a raw @Body/@Query/@Param would take control
  // characters, unknown keys and repeated parameters straight to a handler.
  it('take bodies, query strings and path parameters only through the validating pipes', () => {
    const root = path.resolve(__dirname, '..');
    const controllers = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.controller.ts'),
    );
    expect(controllers.length).toBeGreaterThan(5);
    const raw = controllers.flatMap((f) =>
      [...readFileSync(path.join(root, f), 'utf8').matchAll(/@(Body|Query|Param)\(/g)].map(
        (m) => `${f}: ${m[0]}`,
      ),
    );
    expect(raw).toEqual([]);
  });
});
