import { HttpErrorResponse } from '@angular/common/http';
import { EditorState } from './editor-state';

describe(EditorState.name, () => {
  it('closes the editor with the notice once a submission succeeds', async () => {
    const state = new EditorState<{ kind: 'create' }>();
    state.open({ kind: 'create' });
    const submitting = state.submit({}, () => Promise.resolve('Created.'));
    expect(state.pending()).toBe(true);
    await submitting;
    expect(state.pending()).toBe(false);
    expect(state.editor()).toBeNull();
    expect(state.notice()).toBe('Created.');
    expect(state.error()).toBeNull();
  });

  it("keeps the editor open with the hub's objection on the named field", async () => {
    const state = new EditorState<{ kind: 'create' }>();
    state.open({ kind: 'create' });
    const refusal = new HttpErrorResponse({
      status: 409,
      error: { error: 'Taken', code: 'ROLE_NAME_TAKEN', details: {} },
    });
    await state.submit({ ROLE_NAME_TAKEN: 'name' }, () => Promise.reject(refusal));
    expect(state.pending()).toBe(false);
    expect(state.editor()).toEqual({ kind: 'create' });
    expect(state.error()?.fields).toEqual({ name: 'Taken' });
    expect(state.notice()).toBeNull();
  });

  it('forgets the last error and notice when another editor opens', () => {
    const state = new EditorState<string>();
    state.notice.set('Saved.');
    state.error.set({ message: 'No', fields: {} });
    state.open('other');
    expect(state.editor()).toBe('other');
    expect(state.notice()).toBeNull();
    expect(state.error()).toBeNull();
  });
});
