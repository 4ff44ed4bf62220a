import * as z from 'zod';

/** The message of every control-character refusal (`details.issues[].message`). */
export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters';

const TAB = 0x09;
const LINE_FEED = 0x0a;

/**
 * True when `s` holds no C0 control character (U+0000–U+001F) and no DEL (U+007F); `allowTabs`
 * lets tab and line feed through, as free text may hold them.
 */
export function hasNoControlCharacters(s: string, allowTabs = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7f || (c < 0x20 && !(allowTabs && (c === TAB || c === LINE_FEED)))) return false;
  }
  return true;
}

/**
 * The string every request field starts from: names, ids, usernames, passwords, filters. It
 * refuses every C0 control and DEL, which no such value needs and which PostgreSQL refuses (NUL)
 * or terminals and logs misread.
 */
export const safeString = () =>
  z.string().refine((s) => hasNoControlCharacters(s), CONTROL_CHARACTER_MESSAGE);

/** Free text (a description): like `safeString`, but tab and line feed are allowed. */
export const freeText = () =>
  z.string().refine((s) => hasNoControlCharacters(s, true), CONTROL_CHARACTER_MESSAGE);

/** An ISO 8601 time with an offset (`Z` or `+02:00`). */
export const isoTimeString = () =>
  z.iso
    .datetime({ offset: true })
    .refine((s) => hasNoControlCharacters(s), CONTROL_CHARACTER_MESSAGE);

/** An email address. */
export const emailString = () =>
  z
    .email()
    .max(254)
    .refine((s) => hasNoControlCharacters(s), CONTROL_CHARACTER_MESSAGE);

/** The body of a write that takes none (logout, deletes): absent, `{}`, or refused. */
export const EmptyRequestSchema = z.strictObject({});
export type EmptyRequest = z.infer<typeof EmptyRequestSchema>;

/**
 * A route path parameter (`/users/:id`, `/roles/:id`): bounded, no control characters. Checked
 * by the hub's `ValidParam` pipe before any lookup.
 */
export const PathIdSchema = safeString().min(1).max(128);
