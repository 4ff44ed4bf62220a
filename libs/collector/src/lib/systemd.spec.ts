import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeBinary, FAKE_SYSTEMCTL } from '../test/fake-binaries';
import { fixtureText } from '../test/fixtures';
import { parseSystemctlJson, parseSystemctlPlain, SystemdReader } from './systemd';

describe(parseSystemctlJson.name, () => {
  it('maps systemd 252 JSON rows and leaves out units that are not installed', () => {
    const services = parseSystemctlJson(fixtureText('systemctl', 'list-units.json'));
    expect(services).toHaveLength(6);
    expect(services.find((s) => s.name === 'plymouth-quit-wait.service')).toBeUndefined();
    expect(services.find((s) => s.name === 'nginx.service')).toEqual({
      name: 'nginx.service',
      description: 'A high performance web server and a reverse proxy server',
      load: 'loaded',
      state: 'failed',
      subState: 'failed',
    });
  });

  it('throws on output that is not a JSON array', () => {
    expect(() => parseSystemctlJson(fixtureText('systemctl', 'list-units-table.txt'))).toThrow();
    expect(() => parseSystemctlJson('{"unit":"x"}')).toThrow();
  });
});

describe(parseSystemctlPlain.name, () => {
  it('reads the plain table into the same rows as JSON', () => {
    expect(parseSystemctlPlain(fixtureText('systemctl', 'list-units-plain.txt'))).toEqual(
      parseSystemctlJson(fixtureText('systemctl', 'list-units.json')),
    );
  });

  it('copes with the bullet that marks failed units', () => {
    const services = parseSystemctlPlain('● nginx.service loaded failed failed Web server\n');
    expect(services).toEqual([
      {
        name: 'nginx.service',
        load: 'loaded',
        state: 'failed',
        subState: 'failed',
        description: 'Web server',
      },
    ]);
  });
});

describe(SystemdReader.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyto-systemctl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const systemctl = (mode: string): string =>
    fakeBinary(dir, 'systemctl', FAKE_SYSTEMCTL, { TYTO_FAKE_SYSTEMCTL_MODE: mode });

  it('reads JSON from systemd ≥ 246', async () => {
    const state = await new SystemdReader(systemctl('json')).read();
    expect(state.reason).toBeNull();
    expect(state.services.map((s) => s.name)).toContain('postgresql@16-main.service');
  });

  it('falls back to the plain table when --output=json is ignored, and remembers it', async () => {
    const reader = new SystemdReader(systemctl('old'));
    const first = await reader.read();
    expect(first.reason).toBeNull();
    expect(first.services).toEqual(parseSystemctlJson(fixtureText('systemctl', 'list-units.json')));
    expect((reader as unknown as { json: boolean }).json).toBe(false);
    expect((await reader.read()).services).toHaveLength(6);
  });

  it('explains why when systemd is not running (containers, this VM)', async () => {
    const state = await new SystemdReader(systemctl('no-systemd')).read();
    expect(state).toEqual({
      services: [],
      reason: "System has not been booted with systemd as init system (PID 1). Can't operate.",
    });
  });

  it('says systemctl was not found', async () => {
    const state = await new SystemdReader(join(dir, 'missing-systemctl')).read();
    expect(state.reason).toBe(`${join(dir, 'missing-systemctl')} not found`);
  });
});
