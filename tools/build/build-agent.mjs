// Bundles the agent into ONE self-contained file that runs with plain `node` from any directory:
// unlike the hub's bundle (build-node.mjs), every npm package is inlined, because the host the
// agent is installed on has no node_modules. The api build writes it, with install.sh, to
// dist/apps/api/downloads, which the hub serves under /downloads.
import { build } from 'esbuild';
import { copyFile, mkdir, chmod } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const [outDir = 'dist/apps/api/downloads'] = process.argv.slice(2);
const root = process.cwd();
const tsconfig = 'apps/agent/tsconfig.app.json';
const { config, error } = ts.readConfigFile(tsconfig, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(tsconfig));
const aliases = Object.fromEntries(
  Object.entries(parsed.options.paths ?? {}).map(([k, v]) => [k, path.resolve(root, v[0])]),
);
await mkdir(outDir, { recursive: true });
const outfile = path.join(outDir, 'tyto-agent.js');
await build({
  entryPoints: ['apps/agent/src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  alias: aliases,
  // ws loads these optional native speed-ups inside try/catch; without them it uses plain JS.
  external: ['bufferutil', 'utf-8-validate'],
  banner: { js: '#!/usr/bin/env node' },
  minify: true,
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
await copyFile('apps/agent/install.sh', path.join(outDir, 'install.sh'));
