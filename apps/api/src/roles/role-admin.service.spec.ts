import { roleIdFor } from './role-admin.service';

describe(roleIdFor.name, () => {
  it('slugs the name', () => {
    expect(roleIdFor('Alert Manager')).toBe('alert-manager');
    expect(roleIdFor('  Ops / Night-Shift (EU) ')).toBe('ops-night-shift-eu');
    expect(roleIdFor('Équipe réseau')).toBe('equipe-reseau');
  });
  it('stays within the id column', () => {
    expect(roleIdFor('a'.repeat(200)).length).toBeLessThanOrEqual(56);
    expect(roleIdFor(`${'a'.repeat(55)} b`)).toBe('a'.repeat(55));
  });
  it('falls back to a random id for a name without latin letters or digits', () => {
    expect(roleIdFor('運用チーム')).toMatch(/^role-[0-9a-f]{8}$/);
  });
});
