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

/** Route metadata: the schemas a handler validates its body and query with (read by the OpenAPI document). */
export const BODY_SCHEMA_KEY = 'tyto:body-schema';
export const QUERY_SCHEMA_KEY = 'tyto:query-schema';

// The schema a handler validates with is also the one its documentation shows: recorded on the
// handler function, so nothing is declared twice.
const recording =
  (key: string, schema: ZodType, param: ParameterDecorator): ParameterDecorator =>
  (target, propertyKey, index) => {
    if (propertyKey !== undefined) {
      const handler = (target as Record<string | symbol, object>)[propertyKey];
      Reflect.defineMetadata(key, schema, handler);
    }
    param(target, propertyKey, index);
  };

/** `@ValidBody(Schema)`: the request body, parsed by a contract schema. */
export const ValidBody = <T>(schema: ZodType<T>) =>
  recording(BODY_SCHEMA_KEY, schema, Body(new ZodPipe(schema)));
/** `@ValidQuery(Schema)`: the query string, parsed by a contract schema. */
export const ValidQuery = <T>(schema: ZodType<T>) =>
  recording(QUERY_SCHEMA_KEY, schema, Query(new ZodPipe(schema)));
