import { parseNumberArray } from './history-rows';

/** The shortest text of a float4, as PostgreSQL writes it (exponent from 1e-4 down and 1e6 up). */
function float4Text(x: number): string {
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) {
      const v = Number(s);
      const exp = Math.floor(Math.log10(Math.abs(v)));
      if (exp < -4 || exp >= 7) {
        const [m, e] = v.toExponential(p - 1).split('e');
        const n = Number(e);
        return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
      }
      return String(v);
    }
  }
  throw new Error(`no text for ${x}`);
}

const parse = (text: string): number[] | null => {
  const out = new Float64Array(text.length);
  const n = parseNumberArray(text, out);
  return n < 0 ? null : Array.from(out.subarray(0, n));
};
/** JSON.parse with null as NaN, as parseNumberArray writes it. */
const reference = (text: string) => (JSON.parse(text) as (number | null)[]).map((v) => v ?? NaN);

describe(parseNumberArray.name, () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed / 2 ** 31);

  it('reads the numbers JSON.parse reads, to the last bit, in every form PostgreSQL writes', () => {
    const tokens: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Reals from subnormal to near the float4 maximum.
      const x = (rand() - 0.3) * 10 ** Math.floor(rand() * 82 - 45);
      tokens.push(float4Text(x));
      tokens.push(String(Math.round(rand() * 2 ** 53)));
      tokens.push(String(Math.round(rand() * 100 * 100) / 100));
    }
    tokens.push('0', '-0', '1e+07', '1.5e-05', '3.4028235e+38', '1e-45', '1.4e-45', '16777216');
    tokens.push('9007199254740993', '123456789012345678', '0.1', '0.30000000000000004', 'null');
    tokens.push(
      String(Date.UTC(2026, 11, 1)),
      '2.345',
      '99.995',
      '1.005',
      '1e22',
      '1e23',
      '5e-324',
    );
    for (let i = 0; i < tokens.length; i += 1000) {
      const text = `[${tokens.slice(i, i + 1000).join(',')}]`;
      expect(parse(text)).toEqual(reference(text));
    }
    for (const t of tokens) {
      const got = parse(`[${t}]`);
      const want = reference(`[${t}]`);
      if (!Object.is(got?.[0], want[0])) expect({ t, got }).toEqual({ t, got: want });
    }
  });

  it('reads an empty array, and nulls anywhere', () => {
    expect(parse('[]')).toEqual([]);
    expect(parse('[null]')).toEqual([NaN]);
    expect(parse('[1,null,null,2.5,null]')).toEqual([1, NaN, NaN, 2.5, NaN]);
  });

  it('gives up on what is not a JSON array of numbers, for the caller to read the slow way', () => {
    for (const text of [
      '',
      '[',
      '1,2',
      '[NaN]',
      '[1,Infinity]',
      '[-Infinity,1]',
      '[1,]',
      '[,1]',
      '[1,,2]',
      '[1 ,2]',
      '[nul]',
      '[1e]',
      '[-]',
      '[1x]',
      '["1"]',
    ]) {
      expect({ text, n: parseNumberArray(text, new Float64Array(8)) }).toEqual({ text, n: -1 });
    }
  });

  it('gives up rather than write past the end of its output', () => {
    expect(parseNumberArray('[1,2,3]', new Float64Array(2))).toBe(-1);
    expect(parseNumberArray('[1,2,3]', new Float64Array(3))).toBe(3);
  });
});
