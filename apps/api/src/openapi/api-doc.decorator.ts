import { SetMetadata } from '@nestjs/common';
import type { ZodType } from 'zod';

export const API_DOC_KEY = 'tyto:api-doc';

/** What the OpenAPI document says about a route beyond what the hub already declares. */
export interface ApiDocOptions {
  /** One line, shown beside the path. */
  summary: string;
  /** Longer text; the required access is added to it. */
  description?: string;
  /** Contract schema of the success body (JSON). */
  response?: ZodType;
  /** Media types of the success body when it is not (only) JSON. */
  produces?: readonly string[];
}

/**
 * `@ApiDoc({ summary, response })`: a route's summary and success body for the OpenAPI document.
 * The method, path, access rule, status code and request schemas come from the route's other
 * decorators (`@Get`, `@Auth`, `@HttpCode`, `@ValidBody`, `@ValidQuery`).
 */
export const ApiDoc = (doc: ApiDocOptions) => SetMetadata(API_DOC_KEY, doc);
