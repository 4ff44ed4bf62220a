import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrivateFile, ensureDataDir, restrictFiles, writePrivateFile } from './data-files';

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('data files', () => {
  let root: string;
  let umask: number;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'tyto-modes-'));
    // The modes must not depend on the umask: with 0, anything left to it would be 0777/0666.
    umask = process.umask(0);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  describe(ensureDataDir.name, () => {
    it('creates a new data directory 0700, silently', () => {
      const warn = jest.fn();
      const dir = path.join(root, 'a', 'data');
      ensureDataDir(dir, warn);
      expect(modeOf(dir)).toBe('700');
      expect(warn).not.toHaveBeenCalled();
    });

    it('tightens an existing directory others can read, with one warning', () => {
      const warn = jest.fn();
      const dir = path.join(root, 'data');
      mkdirSync(dir);
      chmodSync(dir, 0o755);
      ensureDataDir(dir, warn);
      expect(modeOf(dir)).toBe('700');
      expect(warn.mock.calls).toEqual([[`data directory ${dir} was 0755; tightened to 0700`]]);
    });

    it('leaves a 0700 directory alone', () => {
      const warn = jest.fn();
      const dir = path.join(root, 'data');
      mkdirSync(dir, { mode: 0o700 });
      ensureDataDir(dir, warn);
      expect(modeOf(dir)).toBe('700');
      expect(warn).not.toHaveBeenCalled();
    });
  });

  describe(createPrivateFile.name, () => {
    it('creates the file 0600 and tightens an existing one', () => {
      const fresh = path.join(root, 'fresh.db');
      createPrivateFile(fresh);
      expect(modeOf(fresh)).toBe('600');

      const old = path.join(root, 'old.db');
      writeFileSync(old, 'x', { mode: 0o644 });
      createPrivateFile(old);
      expect(modeOf(old)).toBe('600');
    });
  });

  describe(restrictFiles.name, () => {
    it('sets 0600 on the files that exist and skips the others', () => {
      const wal = path.join(root, 'tyto.db-wal');
      writeFileSync(wal, '', { mode: 0o666 });
      restrictFiles([wal, path.join(root, 'tyto.db-shm')]);
      expect(modeOf(wal)).toBe('600');
    });
  });

  describe(writePrivateFile.name, () => {
    it('writes a key file 0600, also over a looser existing one', () => {
      const key = path.join(root, 'ca.key');
      writeFileSync(key, 'old', { mode: 0o644 });
      writePrivateFile(key, 'secret');
      expect(modeOf(key)).toBe('600');
    });
  });
});
