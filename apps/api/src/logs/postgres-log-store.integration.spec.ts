import { searchText } from '@tyto/contracts';
import { Client } from 'pg';
import { PG_ADMIN_URL } from '../test/hub';
import { tsvectorLiteral } from './postgres-log-store';

// The store writes its tsvectors as literals instead of running to_tsvector per line: the two
// must agree, or lines stored before the change and after would be found differently.
describe('tsvectorLiteral on PostgreSQL', () => {
  let pg: Client;

  beforeAll(async () => {
    pg = new Client({ connectionString: PG_ADMIN_URL });
    await pg.connect();
  });
  afterAll(() => pg.end());

  const messages: [string, string][] = [
    ['a journal line', 'sshd[812]: Accepted publickey for alice from 10.0.0.7 port 52113'],
    ['repeated words', 'retry retry timeout retry w1x took 12ms retry'],
    ['ANSI escapes and markup', '\u001b[31mfailed\u001b[0m <script>alert(1)</script> ok'],
    ['accented letters', 'Café über ÉCOLE naïve'],
    ['an empty line', ''],
    ['punctuation only', '--- *** ///'],
    ['a word past 2047 bytes, left out without taking a position', `${'x'.repeat(3000)} after`],
    ['a word seen 300 times: 255 positions kept', Array(300).fill('again').join(' ')],
    ['positions past 16383, held at 16383', `${Array(16400).fill('w').join(' ')} tail end`],
  ];

  it.each(messages)('equals to_tsvector for %s', async (_, message) => {
    const words = searchText(message);
    const { rows } = await pg.query<{ literal: string; parsed: string; same: boolean }>(
      `SELECT $1::tsvector::text AS literal, to_tsvector('simple', $2)::text AS parsed,
              $1::tsvector = to_tsvector('simple', $2) AS same`,
      [tsvectorLiteral(words), words],
    );
    expect(rows[0].literal).toBe(rows[0].parsed);
    expect(rows[0].same).toBe(true);
  });

  it('finds phrases and prefixes in a literal as in a parsed vector', async () => {
    const words = searchText('Connection reset by peer while reading w1x header');
    const { rows } = await pg.query<Record<string, boolean>>(
      `SELECT $1::tsvector @@ $2::tsquery AS phrase, $1::tsvector @@ $3::tsquery AS apart,
              $1::tsvector @@ $4::tsquery AS prefix`,
      [tsvectorLiteral(words), `('reset' <-> 'by' <-> 'peer')`, `('reset' <-> 'peer')`, `'hea':*`],
    );
    expect(rows[0]).toEqual({ phrase: true, apart: false, prefix: true });
  });
});
