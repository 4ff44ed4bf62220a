/** Where the interactive API page and its assets live. */
export const DOCS_PATH = '/api/docs';
export const OPENAPI_PATH = '/api/v1/openapi.json';

// No inline script: the page runs under a strict CSP (script-src 'self'), so Swagger UI is
// started by a file of its own.
export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Tyto hub API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/swagger-init.js"></script>
  </body>
</html>
`;

export const DOCS_INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#swagger-ui' });
});
`;
