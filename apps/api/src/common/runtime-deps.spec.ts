import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

// The runtime image keeps `dependencies` only (`npm prune --omit=dev` in the Dockerfile), so the
// hub and the agent must find every package they import there, and the web app's packages,
// bundled into its build, must not be there.
const root = path.resolve(__dirname, '../../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const runtime = new Set(Object.keys(pkg.dependencies));
const builtins = new Set(builtinModules);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.spec\.ts$/.test(e.name) ? [p] : [];
  });
}

/** npm packages a file imports (static or dynamic), type-only imports left out. */
function packagesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms),
    ...text.matchAll(/^export [^;]*? from '([^']+)'/gms),
    ...text.matchAll(/\bimport\('([^']+)'\)/g),
    ...text.matchAll(/\brequire\('([^']+)'\)/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('@tyto/') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]))
    .filter((s) => !builtins.has(s));
}

describe('package.json dependencies', () => {
  const serverSources = [
    'apps/api/src',
    'apps/agent/src',
    'libs/collector/src',
    'libs/contracts/src',
    'libs/pki/src',
    'libs/logs/src',
  ];

  it('hold every package the hub and the agent import', () => {
    const missing = new Set<string>();
    for (const dir of serverSources) {
      for (const file of sourceFiles(path.join(root, dir))) {
        for (const name of packagesOf(file))
          if (!runtime.has(name)) missing.add(`${name} (${path.relative(root, file)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('leave the web app’s packages to the build, out of the runtime image', () => {
    const browserOnly = [...runtime].filter(
      (n) => n.startsWith('@angular/') || n === '@swimlane/ngx-charts' || n === 'zone.js',
    );
    expect(browserOnly).toEqual([]);
  });
});
