import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHub } from '../bootstrap';
import { loadConfig } from '../common/config';
import { serializeOpenApi } from './openapi-document';
import { OpenApiService } from './openapi.service';

// `npm run openapi`: writes docs/openapi.json from a hub booted on SQLite in a temp dir (the
// document depends only on the routes, not on the data). The api test suite fails until the
// committed file matches.
export const OPENAPI_FILE = 'docs/openapi.json';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tyto-openapi-'));
  try {
    const config = loadConfig(
      {
        TYTO_DATA_DIR: dataDir,
        TYTO_ADMIN_PASSWORD: 'openapi-generator-only',
        TYTO_LOG_LEVEL: 'error',
        TYTO_WEB_DIR: '',
      },
      null,
    );
    const app = await createHub(config);
    await app.init();
    const text = serializeOpenApi(app.get(OpenApiService).document);
    await app.close();
    writeFileSync(path.resolve(OPENAPI_FILE), text);
    console.log(`wrote ${OPENAPI_FILE}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
