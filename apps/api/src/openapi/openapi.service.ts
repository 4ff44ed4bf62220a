import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { listRoutes } from '../common/routes';
import { TYTO_VERSION } from '../common/version';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';

/** Builds the hub's OpenAPI document once, when every controller is in place. */
@Injectable()
export class OpenApiService implements OnApplicationBootstrap {
  private doc: OpenApiDocument | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    this.doc = buildOpenApiDocument(
      listRoutes(this.discovery, this.scanner, this.reflector),
      TYTO_VERSION,
    );
  }

  get document(): OpenApiDocument {
    if (!this.doc) throw new Error('the OpenAPI document is built at application bootstrap');
    return this.doc;
  }
}
