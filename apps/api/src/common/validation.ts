import { Body, Query, type PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { AppError } from './errors';

/** Validates a payload against a contract schema; failures are 400 VALIDATION_FAILED with the issues. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new AppError(400, 'VALIDATION_FAILED', 'Request validation failed', {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
}

/** `@ValidBody(Schema)`: the request body, parsed by a contract schema. */
export const ValidBody = <T>(schema: ZodType<T>) => Body(new ZodPipe(schema));
/** `@ValidQuery(Schema)`: the query string, parsed by a contract schema. */
export const ValidQuery = <T>(schema: ZodType<T>) => Query(new ZodPipe(schema));
