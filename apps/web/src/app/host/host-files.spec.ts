import { HttpErrorResponse } from '@angular/common/http';
import { attachmentFilename, failureMessage } from './host-files';

describe('host files', () => {
  describe(attachmentFilename.name, () => {
    it("reads the hub's quoted file name", () => {
      expect(
        attachmentFilename('attachment; filename="tyto-metrics-local-20260115T093000Z.csv"'),
      ).toBe('tyto-metrics-local-20260115T093000Z.csv');
    });

    it('reads unquoted and RFC 5987 names', () => {
      expect(attachmentFilename('attachment; filename=metrics.json')).toBe('metrics.json');
      expect(attachmentFilename("attachment; filename*=UTF-8''m%C3%A9trics.csv")).toBe(
        'métrics.csv',
      );
    });

    it('keeps only the last path segment and gives up without a name', () => {
      expect(attachmentFilename('attachment; filename="../../etc/passwd"')).toBe('passwd');
      expect(attachmentFilename('attachment')).toBeNull();
      expect(attachmentFilename(null)).toBeNull();
    });
  });

  describe(failureMessage.name, () => {
    it("shows the hub's message from a text response", () => {
      const err = new HttpErrorResponse({
        status: 400,
        error: JSON.stringify({ error: 'from is older than the 1m history is kept', code: 'X' }),
      });
      expect(failureMessage(err)).toBe('from is older than the 1m history is kept');
    });

    it("shows the hub's message from a JSON response", () => {
      const err = new HttpErrorResponse({
        status: 404,
        error: { error: 'Not found', code: 'NOT_FOUND', details: {} },
      });
      expect(failureMessage(err)).toBe('Not found');
    });

    it('falls back to the status line', () => {
      const err = new HttpErrorResponse({
        status: 502,
        statusText: 'Bad Gateway',
        error: '<html>',
      });
      expect(failureMessage(err)).toBe('Request failed (502 Bad Gateway).');
    });
  });
});
