// Bundles a Node app (hub or agent) with esbuild. esbuild alone drops TypeScript's decorator
// metadata, which NestJS dependency injection reads, so .ts files go through
// ts.transpileModule first (fast, per file, no type check: `typecheck` does that).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const [entry, outfile, tsconfigPath] = process.argv.slice(2);
if (!entry || !outfile || !tsconfigPath) {
  console.error('usage: build-node.mjs <entry.ts> <outfile.js> <tsconfig.json>');
  process.exit(2);
}
const root = process.cwd();
const { config, error } = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(tsconfigPath));
const compilerOptions = {
  ...parsed.options,
  module: ts.ModuleKind.ESNext,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: true,
};

const tsDecorators = {
  name: 'ts-decorator-metadata',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const out = ts.transpileModule(source, { compilerOptions, fileName: args.path });
      return { contents: out.outputText, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

// Workspace libs resolve through tsconfig paths; npm packages stay external (native addons
// such as better-sqlite3 and argon2 cannot be bundled).
const aliases = Object.fromEntries(
  Object.entries(parsed.options.paths ?? {}).map(([k, v]) => [k, path.resolve(root, v[0])]),
);

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  alias: aliases,
  plugins: [tsDecorators],
  // V8 keeps every loaded module's source text in the heap for lazy compilation: an inline
  // source map, whitespace and one non-ASCII character (which makes the whole text UTF-16)
  // cost the hub ~3 MB of heap. So: a linked map (node --enable-source-maps reads it),
  // whitespace and syntax minified, ASCII escapes; identifiers stay (keepNames) for Nest.
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  logLevel: 'warning',
  legalComments: 'none',
  keepNames: true,
});
