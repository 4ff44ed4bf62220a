import { Body, Param, Query, type PipeTransform } from '@nestjs/common';
import { PathIdSchema } from '@tyto/contracts';
import type { ZodType } from 'zod';
import { AppError } from './errors';

export interface Issue {
  path: string;
  message: string;
}

const validationFailed = (issues: Issue[]) =>
  new AppError('VALIDATION_FAILED', 'Request validation failed', { issues });

/**
 * What the query string itself does wrong, before any schema sees it. Fastify turns a repeated
 * key (`?a=1&a=2`) into an array and keeps brackets (`?a[]=1`, `?a[b]=1`) in the key; neither is
 * part of this API, and either would otherwise be dropped or half-read without a word.
 */
export function queryShapeIssues(query: unknown): Issue[] {
  if (query === null || typeof query !== 'object') return [];
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (key.includes('[') || key.includes(']')) {
      issues.push({ path: key, message: 'bracketed parameter names are not accepted' });
    } else if (Array.isArray(value)) {
      issues.push({ path: key, message: 'parameter given more than once' });
    }
  }
  return issues;
}

/** Validates a payload against a contract schema; failures are 400 VALIDATION_FAILED with the issues. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  /**
   * @param source `query`: also refuse repeated and bracketed parameters; `param:<name>`: a path
   *   parameter, whose issues are reported under its name.
   */
  constructor(
    private readonly schema: ZodType<T>,
    private readonly source: 'body' | 'query' | `param:${string}` = 'body',
  ) {}

  transform(value: unknown): T {
    if (this.source === 'query') {
      const shape = queryShapeIssues(value);
      if (shape.length) throw validationFailed(shape);
    }
    const result = this.schema.safeParse(this.source.startsWith('param:') ? value : (value ?? {}));
    if (result.success) return result.data;
    const prefix = this.source.startsWith('param:') ? [this.source.slice('param:'.length)] : [];
    throw validationFailed(
      result.error.issues.map((i) => ({
        path: [...prefix, ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
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
/**
 * `@ValidQuery(Schema)`: the query string, parsed by a contract schema (strict: unknown keys are
 * refused), each parameter given once and without brackets.
 */
export const ValidQuery = <T>(schema: ZodType<T>) =>
  recording(QUERY_SCHEMA_KEY, schema, Query(new ZodPipe(schema, 'query')));
/**
 * `@ValidParam('id')`: a path parameter, bounded and free of control characters (PathIdSchema)
 * before any lookup uses it.
 */
export const ValidParam = (name: string, schema: ZodType<string> = PathIdSchema) =>
  Param(name, new ZodPipe(schema, `param:${name}`));
