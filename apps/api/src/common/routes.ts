import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_KEY, type Access } from './access.decorator';

export interface RouteInfo {
  method: string;
  /** As Fastify matches it: `/api/v1/users/:id`. */
  path: string;
  access: Access | undefined;
  controller: string;
  handler: string;
  /** The handler function, whose decorator metadata callers read. */
  fn: (...args: unknown[]) => unknown;
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Every route the hub's controllers declare, with the access rule each one carries. */
export function listRoutes(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base =
      (Reflect.getMetadata(PATH_METADATA, metatype) as string | string[] | undefined) ?? '';
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const fn = proto[name] as (...args: unknown[]) => unknown;
      const sub = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
      const access = reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [fn, metatype]);
      for (const b of [base].flat()) {
        for (const s of [sub].flat()) {
          routes.push({
            method,
            path: join(b, s),
            access,
            controller: metatype.name,
            handler: name,
            fn,
          });
        }
      }
    }
  }
  return routes;
}
