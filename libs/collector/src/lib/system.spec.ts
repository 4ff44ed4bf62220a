import { fixtureText } from '../test/fixtures';
import { parseOsRelease, parseUptime } from './system';

describe(parseOsRelease.name, () => {
  it('reads PRETTY_NAME and unquotes it', () => {
    expect(parseOsRelease(fixtureText('host-vm', 'etc', 'os-release'))).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(parseOsRelease(fixtureText('host-workstation', 'etc', 'os-release'))).toBe(
      'Ubuntu 24.04.1 LTS',
    );
  });

  it('falls back to NAME and VERSION, and handles single quotes and escapes', () => {
    expect(parseOsRelease("NAME='Alpine Linux'\nVERSION=3.20\n")).toBe('Alpine Linux 3.20');
    expect(parseOsRelease('PRETTY_NAME="My \\"Distro\\""\n')).toBe('My "Distro"');
    expect(parseOsRelease('# nothing\n')).toBeNull();
  });
});

describe(parseUptime.name, () => {
  it('reads the seconds since boot', () => {
    expect(parseUptime(fixtureText('host-vm', 'proc', 'uptime'))).toBe(462.52);
    expect(parseUptime('')).toBe(0);
  });
});
