import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { listRoutes as listDeclaredRoutes, type RouteInfo } from '../common/routes';

export type { RouteInfo };

/** Every route the hub's controllers declare, with the access rule each one carries. */
export function listRoutes(app: INestApplication): RouteInfo[] {
  return listDeclaredRoutes(
    app.get(DiscoveryService),
    app.get(MetadataScanner),
    app.get(Reflector),
  );
}
