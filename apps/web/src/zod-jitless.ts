import * as z from 'zod';

// Zod compiles object parsers with `new Function` unless told not to, and probes for it when a
// schema is built; the hub's Content-Security-Policy has no 'unsafe-eval', so the probe would be
// reported as a violation (docs/security.md). Listed under `polyfills` in project.json: the
// polyfills bundle runs to completion before the main bundle and its chunks, where
// @tyto/contracts builds its schemas (an import at the top of main.ts would not: the bundler
// evaluates shared chunks before main's own code). Zod keeps this setting on globalThis.
z.config({ jitless: true });
