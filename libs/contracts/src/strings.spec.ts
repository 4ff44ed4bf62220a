import * as z from 'zod';
import * as contracts from './index';
import { CONTROL_CHARACTER_MESSAGE, hasNoControlCharacters, PathIdSchema } from './strings';

// What this walk needs of a schema's definition; Zod's own def types are a union per kind.
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
}
const defOf = (s: z.ZodType) => s._zod.def as unknown as Def;

type Path = (string | number)[];

/** Every place a string goes in a request schema (array elements as index 0). */
function stringPaths(schema: z.ZodType, path: Path = []): Path[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return [path];
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([k, s]) => stringPaths(s, [...path, k]));
    case 'array':
      return def.element ? stringPaths(def.element, [...path, 0]) : [];
    case 'pipe':
      return def.in ? stringPaths(def.in, path) : [];
    default:
      return def.innerType ? stringPaths(def.innerType, path) : [];
  }
}

/** `{a: [{b: value}]}` for the path `a.0.b`. */
function valueAt(path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  return typeof head === 'number' ? [valueAt(rest, value)] : { [head]: valueAt(rest, value) };
}

// Every HTTP request payload the hub validates: bodies, query strings and path parameters. A new
// `…RequestSchema` or `…QuerySchema` is picked up here without anyone listing it.
const REQUEST_SCHEMAS = (Object.entries(contracts) as [string, unknown][]).filter(
  (entry): entry is [string, z.ZodType] =>
    /(Request|Query)Schema$/.test(entry[0]) && entry[1] instanceof z.ZodType,
);

/** Fields that are free text: tab and line feed allowed there, nowhere else. */
const FREE_TEXT = new Set([
  'CreateRoleRequestSchema.description',
  'UpdateRoleRequestSchema.description',
  // PEM text: lines end in LF.
  'EnrollmentRequestSchema.csr',
]);

const REFUSED_EVERYWHERE = ['\u0000', '\u0001', '\u001b', '\u001f', '\u007f', '\r'];
const ALLOWED_IN_FREE_TEXT = ['\t', '\n'];

const controlIssueAt = (schema: z.ZodType, path: Path, input: unknown) =>
  schema
    .safeParse(input)
    .error?.issues.some(
      (i) => i.path.join('.') === path.join('.') && i.message === CONTROL_CHARACTER_MESSAGE,
    ) ?? false;

describe('request schemas', () => {
  it('are all found', () => {
    expect(REQUEST_SCHEMAS.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'LoginRequestSchema',
        'CreateUserRequestSchema',
        'CreateRoleRequestSchema',
        'RefreshIntervalRequestSchema',
        'AuditQuerySchema',
        'HistoryQuerySchema',
        'ExportQuerySchema',
        'StreamQuerySchema',
      ]),
    );
  });

  describe.each(REQUEST_SCHEMAS)('%s', (name, schema) => {
    it('refuses unknown keys', () => {
      const issues = schema.safeParse({ not_a_field: 'x' }).error?.issues ?? [];
      expect(issues).toContainEqual(
        expect.objectContaining({ code: 'unrecognized_keys', keys: ['not_a_field'] }),
      );
    });

    const paths = stringPaths(schema);
    // Schemas without string fields (RefreshInterval, Empty) have nothing more to check.
    if (paths.length > 0)
      it.each(paths.map((p) => [p.join('.'), p] as const))(
        'refuses control characters in %s',
        (field, path) => {
          const free = FREE_TEXT.has(`${name}.${field}`);
          for (const c of [...REFUSED_EVERYWHERE, ...(free ? [] : ALLOWED_IN_FREE_TEXT)]) {
            expect([c, controlIssueAt(schema, path, valueAt(path, `ab${c}cd`))]).toEqual([c, true]);
          }
          for (const c of free ? ALLOWED_IN_FREE_TEXT : []) {
            expect([c, controlIssueAt(schema, path, valueAt(path, `ab${c}cd`))]).toEqual([
              c,
              false,
            ]);
          }
        },
      );
  });

  it('reach the string fields the walk should find', () => {
    expect(stringPaths(contracts.CreateUserRequestSchema)).toEqual([
      ['username'],
      ['password'],
      ['email'],
      ['roles', 0],
    ]);
  });
});

describe('PathIdSchema', () => {
  it('takes an id and refuses control characters, empty and overlong ones', () => {
    expect(PathIdSchema.safeParse('3f2a-role').success).toBe(true);
    for (const id of ['\u0000', 'a\u007f', '', 'x'.repeat(129)]) {
      expect([id, PathIdSchema.safeParse(id).success]).toEqual([id, false]);
    }
  });
});

describe('hasNoControlCharacters', () => {
  it('refuses C0 and DEL, lets tab and line feed through only when asked', () => {
    expect(hasNoControlCharacters('plain text, ünïcödé too')).toBe(true);
    expect(hasNoControlCharacters('a\u0000b')).toBe(false);
    expect(hasNoControlCharacters('a\u007fb')).toBe(false);
    expect(hasNoControlCharacters('a\tb\nc')).toBe(false);
    expect(hasNoControlCharacters('a\tb\nc', true)).toBe(true);
    expect(hasNoControlCharacters('a\rb', true)).toBe(false);
  });
});
