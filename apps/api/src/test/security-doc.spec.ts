import { hasPermission, PERMISSIONS, SYSTEM_ROLE_DEFINITIONS, SYSTEM_ROLES } from '@tyto/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const DOC = path.resolve(__dirname, '../../../../docs/security.md');

describe('docs/security.md permission table', () => {
  it('lists every catalogue permission with the system roles that hold it', () => {
    const rows = readFileSync(DOC, 'utf8')
      .split('\n')
      .filter((line) => /^\| `[a-z]+:[a-z]+`/.test(line))
      .map((line) => {
        const cells = line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim());
        return {
          permission: cells[0].replace(/`/g, ''),
          holders: cells.slice(2).map((c) => c === '✓'),
        };
      });
    expect(rows).toEqual(
      PERMISSIONS.map((permission) => ({
        permission,
        holders: SYSTEM_ROLES.map((r) =>
          hasPermission(SYSTEM_ROLE_DEFINITIONS[r].permissions, permission),
        ),
      })),
    );
  });
});
