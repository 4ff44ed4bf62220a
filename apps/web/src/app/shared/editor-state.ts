import { signal } from '@angular/core';
import type { CodeFields, FormError } from '../core/form-error';
import { toFormError } from '../core/form-error';

// The one editor a list page has open (`E` says which and on what), and how its last
// submission went. A store keeps one privately and exposes its signals read-only.
export class EditorState<E> {
  readonly editor = signal<E | null>(null);
  readonly pending = signal(false);
  readonly error = signal<FormError | null>(null);
  readonly notice = signal<string | null>(null);

  // Opens an editor, or closes it with null, forgetting the last error and notice.
  open(editor: E | null): void {
    this.editor.set(editor);
    this.error.set(null);
    this.notice.set(null);
  }

  // Runs one editor submission: closes the editor with the notice `run` returns on success,
  // keeps it open with the hub's objection otherwise. `codeFields` names the field an error
  // code is about (see toFormError).
  async submit(codeFields: CodeFields, run: () => Promise<string>): Promise<void> {
    this.pending.set(true);
    this.error.set(null);
    try {
      const notice = await run();
      this.editor.set(null);
      this.notice.set(notice);
    } catch (err) {
      this.error.set(toFormError(err, codeFields));
    } finally {
      this.pending.set(false);
    }
  }
}
