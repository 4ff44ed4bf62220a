import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { SettingsResponse } from '@tyto/contracts';
import { HostStore } from './host.store';

function settings(refreshInterval: number): SettingsResponse {
  return {
    refresh_interval: refreshInterval,
    retention: { raw: 86_400, '1m': 604_800, '5m': 2_592_000, '1h': 31_536_000 },
    password_min_length: 12,
  };
}

// jsdom's Blob has no text().
function readText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe(HostStore.name, () => {
  let store: HostStore;
  let backend: HttpTestingController;
  let saved: { name: string; blob: Blob }[];

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [HostStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(HostStore);
    backend = TestBed.inject(HttpTestingController);

    // jsdom has no object URLs and does not download; record what would have been saved.
    saved = [];
    const blobs = new Map<string, Blob>();
    URL.createObjectURL = jest.fn((blob: Blob) => {
      const url = `blob:test/${blobs.size}`;
      blobs.set(url, blob);
      return url;
    });
    URL.revokeObjectURL = jest.fn();
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      const blob = blobs.get(this.href);
      if (!blob) throw new Error(`no blob for ${this.href}`);
      saved.push({ name: this.download, blob });
    });
  });

  afterEach(() => {
    backend.verify();
    jest.restoreAllMocks();
  });

  describe('export', () => {
    it('downloads the current snapshot under the name the hub gave it', async () => {
      store.followAgent(signal('web-01'));
      const done = store.export('csv');
      expect(store.exporting()).toBe('snapshot-csv');

      const req = backend.expectOne((r) => r.url === '/api/v1/export/metrics');
      expect(req.request.params.get('format')).toBe('csv');
      expect(req.request.params.get('agent_id')).toBe('web-01');
      expect(req.request.params.has('from')).toBe(false);
      expect(req.request.params.has('resolution')).toBe(false);
      req.flush('timestamp,cpu.totalUsage\r\n2026-01-15T10:00:00Z,12\r\n', {
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="tyto-metrics-web-01-20260115T100000Z.csv"',
        },
      });
      await done;

      expect(saved.map((file) => file.name)).toEqual(['tyto-metrics-web-01-20260115T100000Z.csv']);
      expect(saved[0].blob.type).toBe('text/csv; charset=utf-8');
      expect(await readText(saved[0].blob)).toBe(
        'timestamp,cpu.totalUsage\r\n2026-01-15T10:00:00Z,12\r\n',
      );
      expect(store.exporting()).toBeNull();
    });

    it('asks for the history range when one is given', async () => {
      const done = store.export('json', {
        from: '2026-01-15T11:00:00.000Z',
        to: '2026-01-15T12:00:00.000Z',
        resolution: 'raw',
      });
      expect(store.exporting()).toBe('range-json');
      const req = backend.expectOne((r) => r.url === '/api/v1/export/metrics');
      expect(req.request.params.get('from')).toBe('2026-01-15T11:00:00.000Z');
      expect(req.request.params.get('to')).toBe('2026-01-15T12:00:00.000Z');
      expect(req.request.params.get('resolution')).toBe('raw');
      req.flush('{}');
      await done;

      // Without Content-Disposition the file still gets a sensible name.
      expect(saved[0].name).toBe('tyto-metrics-local.json');
    });

    it("shows the hub's reason beside the buttons of that export only", async () => {
      const done = store.export('csv', {
        from: '2020-01-01T00:00:00.000Z',
        to: '2020-01-02T00:00:00.000Z',
      });
      backend
        .expectOne((r) => r.url === '/api/v1/export/metrics')
        .flush(
          JSON.stringify({
            error: 'from is older than the 1h history is kept',
            code: 'X',
            details: {},
          }),
          { status: 400, statusText: 'Bad Request' },
        );
      await done;

      expect(store.rangeExportError()).toBe(
        'Export failed: from is older than the 1h history is kept',
      );
      expect(store.snapshotExportError()).toBeNull();
      expect(saved).toEqual([]);
    });
  });

  describe('setRefreshInterval', () => {
    beforeEach(() => {
      store.loadSettings();
      backend.expectOne('/api/v1/settings').flush(settings(5));
    });

    it('saves the new interval', async () => {
      const done = store.setRefreshInterval(10);
      expect(store.refreshInterval()).toBe(10);
      expect(store.intervalSaving()).toBe(true);

      const req = backend.expectOne('/api/v1/settings/refresh');
      expect(req.request.method).toBe('POST');
      expect(req.request.body).toEqual({ interval: 10 });
      req.flush(settings(10));
      await done;

      expect(store.refreshInterval()).toBe(10);
      expect(store.intervalSaving()).toBe(false);
    });

    it('goes back to the interval the hub still uses when saving fails', async () => {
      const done = store.setRefreshInterval(1);
      backend
        .expectOne('/api/v1/settings/refresh')
        .flush(null, { status: 403, statusText: 'Forbidden' });
      await done;

      expect(store.refreshInterval()).toBe(5);
    });
  });
});
