import { Controller, Get, Header } from '@nestjs/common';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from './api-doc.decorator';
import { DOCS_HTML, DOCS_INIT_JS } from './docs-page';
import type { OpenApiDocument } from './openapi-document';
import { OpenApiService } from './openapi.service';

/**
 * The API's own description: public, since it holds no data. Swagger UI's bundle and stylesheet
 * come from swagger-ui-dist as static files (docs-assets.ts).
 */
@Controller()
export class DocsController {
  constructor(private readonly openapi: OpenApiService) {}

  @Get('api/v1/openapi.json')
  @Auth('public')
  @ApiDoc({ summary: 'This OpenAPI 3.1 document' })
  document(): OpenApiDocument {
    return this.openapi.document;
  }

  @Get('api/docs')
  @Auth('public')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @ApiDoc({ summary: 'Interactive API documentation (Swagger UI)', produces: ['text/html'] })
  page(): string {
    return DOCS_HTML;
  }

  @Get('api/docs/swagger-init.js')
  @Auth('public')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @ApiDoc({ summary: 'Starts Swagger UI on the docs page', produces: ['text/javascript'] })
  init(): string {
    return DOCS_INIT_JS;
  }
}
