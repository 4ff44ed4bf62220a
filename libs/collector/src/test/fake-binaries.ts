import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from './fixtures';

/**
 * Writes `dir/name`: an executable that runs a fixture test double with settings in its
 * environment. Children spawned by the code under test do not see Jest's sandboxed process.env,
 * so settings travel in the wrapper instead.
 */
export function fakeBinary(
  dir: string,
  name: string,
  fixture: string[],
  env: Record<string, string> = {},
): string {
  const path = join(dir, name);
  const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`);
  writeFileSync(path, `#!/bin/sh\nexec env ${vars.join(' ')} '${fixturePath(...fixture)}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

export const FAKE_NVIDIA_SMI = ['nvidia-smi', 'fake-nvidia-smi.js'];
export const FAKE_SYSTEMCTL = ['systemctl', 'fake-systemctl.js'];
