import { NotFoundException } from '@nestjs/common';
import { AppError, notReady } from './errors';
import { toErrorBody } from './error.filter';

describe(toErrorBody.name, () => {
  it('maps a domain error to its status and code', () => {
    expect(toErrorBody(new AppError('CONFLICT', 'Role in use', { users: 2 }))).toEqual({
      status: 409,
      body: { error: 'Role in use', code: 'CONFLICT', details: { users: 2 } },
    });
  });

  it('answers NOT_READY with 503 and the failed checks', () => {
    const details = { checks: { database: { status: 'down', error: 'connection refused' } } };
    expect(toErrorBody(notReady(details))).toEqual({
      status: 503,
      body: { error: 'Not ready', code: 'NOT_READY', details },
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /x'))).toEqual({
      status: 404,
      body: { error: 'Cannot GET /x', code: 'NOT_FOUND', details: {} },
    });
  });

  it('never leaks the message of an unexpected error', () => {
    const { status, body } = toErrorBody(
      new Error('SQLITE_ERROR: no such table: users at Statement.run'),
    );
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'Internal server error', code: 'INTERNAL_ERROR', details: {} });
  });
});
