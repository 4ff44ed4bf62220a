import {
  LogQuerySchema,
  LogSearchSyntaxError,
  matchesLogSearch,
  parseLogSearch,
  searchText,
  searchWords,
} from './logs';

describe('parseLogSearch', () => {
  it('reads words, phrases, exclusions and prefixes', () => {
    expect(
      parseLogSearch('Refused "connection reset" -"health check" -noise time* nginx.service'),
    ).toEqual({
      terms: [
        { words: ['refused'], prefix: false },
        { words: ['connection', 'reset'], prefix: false },
        { words: ['time'], prefix: true },
        { words: ['nginx', 'service'], prefix: false },
      ],
      excluded: [
        { words: ['health', 'check'], prefix: false },
        { words: ['noise'], prefix: false },
      ],
    });
  });

  it('keeps FTS and SQL syntax out: only letters and digits survive', () => {
    expect(parseLogSearch("' OR 1=1 --").terms).toEqual([
      { words: ['or'], prefix: false },
      { words: ['1', '1'], prefix: false },
    ]);
    expect(parseLogSearch('NEAR(a b) col:x ^y').terms.flatMap((t) => t.words)).toEqual([
      'near',
      'a',
      'b',
      'col',
      'x',
      'y',
    ]);
  });

  it('refuses an unclosed quote, an empty search and too many terms', () => {
    for (const q of [
      '"open',
      '*',
      '-',
      '""',
      '  ',
      Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '),
    ]) {
      expect(() => parseLogSearch(q)).toThrow(LogSearchSyntaxError);
    }
  });
});

describe('matchesLogSearch', () => {
  const m = (q: string, text: string) => matchesLogSearch(parseLogSearch(q), text);
  it('decides as the index does', () => {
    expect(m('refused', 'Connection REFUSED!')).toBe(true);
    expect(m('"connection refused"', 'connection: refused')).toBe(true);
    expect(m('"refused connection"', 'connection refused')).toBe(false);
    expect(m('conn*', 'connections pool')).toBe(true);
    expect(m('conn', 'connections pool')).toBe(false);
    expect(m('pool -conn*', 'connections pool')).toBe(false);
    expect(m('-x', 'anything')).toBe(true);
    expect(searchText('a.b_c-d  é1')).toBe('a b c d é1');
    expect(searchText('\u001b[1;31mfailed\u001b[0m: disk')).toBe('failed disk');
    // The same words as searchWords gives, however the text starts, ends or is spaced.
    for (const text of [
      '  --Ünïcode  ÉTÉ--x…',
      '',
      '...',
      'tab\there\n\u00a0nbsp',
      '日本語 テキスト 42',
    ]) {
      expect(searchText(text)).toBe(searchWords(text).join(' '));
    }
    expect(m('failed', '\u001b[31mfailed\u001b[0m')).toBe(true);
  });
});

describe('LogQuerySchema', () => {
  it('defaults and bounds paging, splits levels, checks the search', () => {
    expect(LogQuerySchema.parse({ level: 'error,warning,error' })).toEqual({
      level: ['error', 'warning'],
      limit: 100,
      offset: 0,
    });
    expect(LogQuerySchema.safeParse({ limit: '1001' }).success).toBe(false);
    expect(LogQuerySchema.safeParse({ q: '"open' }).error?.issues[0]).toMatchObject({
      path: ['q'],
      message: 'search syntax: unclosed quote',
    });
  });
});
