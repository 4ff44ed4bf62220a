import { HttpErrorResponse } from '@angular/common/http';
import type { ErrorBody } from '@tyto/contracts';
import { errorMessage } from '../core/http';

// What went wrong with a request whose error status the page handles itself. Text requests (the
// export) get the hub's JSON error body as a string, so it is parsed here before falling back to
// the status line.
export function failureMessage(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return 'Something went wrong in the browser.';
  if (typeof err.error === 'string') {
    try {
      const body = JSON.parse(err.error) as Partial<ErrorBody>;
      if (typeof body.error === 'string') return body.error;
    } catch {
      // Not JSON (a proxy's HTML page, say): the status line below says enough.
    }
  }
  return errorMessage(err);
}

// `attachment; filename="tyto-metrics-local-20260115T093000Z.csv"` → the file name, or null.
export function attachmentFilename(contentDisposition: string | null): string | null {
  if (!contentDisposition) return null;
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition);
  if (!match) return null;
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    name = match[1];
  }
  // Only a bare name: a path in it would be ignored by the browser at best.
  return name.split(/[\\/]/).pop() || null;
}

// Hands a file to the browser's download handling. The export is fetched with HttpClient rather
// than followed as a link so that failures show as messages on the page instead of an error
// document being saved as the file.
export function saveFile(doc: Document, filename: string, contentType: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type: contentType }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  doc.body.appendChild(link);
  link.click();
  link.remove();
  // Revoking right away can cancel a download the browser has not started reading yet (FileSaver.js
  // waits 40 s for this reason); exports are small, so holding one for a minute costs little.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
