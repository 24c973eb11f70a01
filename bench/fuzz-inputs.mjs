// The fuzzers' inputs (bench/fuzz.mjs, bench/fuzz-lsp.mjs): the C/C++ files of samples/ and
// test/fixtures/, and seeded mutations of them — of the text (tokens, nesting, preprocessor lines,
// line ends, long lines and names) and of the bytes (invalid UTF-8, NUL, byte-order mark).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

export function fuzzInputs(ROOT, seed) {
  /** mulberry32: small, seeded, good enough to pick mutations. */
  function generator(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = generator(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (n) => Math.floor(random() * n);

  const corpus = [];
  const collect = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) collect(path);
      else if (['.c', '.h', '.cpp', '.cc', '.hpp'].includes(extname(entry))) corpus.push({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') });
    }
  };
  collect(join(ROOT, 'samples'));
  collect(join(ROOT, 'test/fixtures'));

  const TOKEN = /[A-Za-z_]\w*|\d+|\S/g;
  const tokens = (text) => [...text.matchAll(TOKEN)].map((m) => [m.index, m.index + m[0].length]);
  const PREPROCESSOR = ['#if 0\n', '#endif\n', '#else\n', '#ifdef X\n', '#define CHECK(x) if (!(x)) return -1\n', '#include "x.h"\n', '#if V == 1\n', '#elif\n'];

  const MUTATIONS = {
    flip: (t) => {
      const at = int(t.length);
      return t.slice(0, at) + String.fromCharCode(32 + int(95)) + t.slice(at + 1);
    },
    deleteToken: (t) => {
      const all = tokens(t);
      if (all.length === 0) return t;
      const [s, e] = pick(all);
      return t.slice(0, s) + t.slice(e);
    },
    duplicateToken: (t) => {
      const all = tokens(t);
      if (all.length === 0) return t;
      const [s, e] = pick(all);
      return t.slice(0, e) + t.slice(s, e) + t.slice(e);
    },
    swapTokens: (t) => {
      const all = tokens(t);
      if (all.length < 2) return t;
      let [a, b] = [pick(all), pick(all)];
      if (a[0] > b[0]) [a, b] = [b, a];
      if (a[1] > b[0]) return t;
      return t.slice(0, a[0]) + t.slice(b[0], b[1]) + t.slice(a[1], b[0]) + t.slice(a[0], a[1]) + t.slice(b[1]);
    },
    splice: (t) => {
      const other = pick(corpus).text;
      return t.slice(0, int(t.length)) + other.slice(int(other.length));
    },
    truncate: (t) => t.slice(0, int(t.length + 1)),
    deepNesting: (t) => {
      const at = int(t.length);
      const depth = 50 + int(3000);
      return t.slice(0, at) + pick(['(', '{', 'f(', 'if (x) {', '[']).repeat(depth) + t.slice(at);
    },
    preprocessorLine: (t) => {
      const lines = t.split('\n');
      lines.splice(int(lines.length + 1), 0, pick(PREPROCESSOR).trimEnd());
      return lines.join('\n');
    },
    lineEnds: (t) => t.replace(/\r?\n/g, pick(['\r', '\r\n', '\n\r', '\n'])),
    longLine: (t) => {
      const at = int(t.length);
      return `${t.slice(0, at)} ${'x + '.repeat(2000 + int(20000))}1 ${t.slice(at)}`;
    },
    hugeIdentifier: (t) => {
      const all = tokens(t).filter(([s, e]) => /^[A-Za-z_]/.test(t.slice(s, e)));
      if (all.length === 0) return t;
      const name = t.slice(...pick(all));
      return t.split(name).join(name + 'q'.repeat(500 + int(3000)));
    },
    nonAscii: (t) => {
      const at = int(t.length);
      return t.slice(0, at) + pick(['é', '😀', '\u2028', '\ufeff', '\u00a0', '\uFFFD']) + t.slice(at);
    },
  };
  const NAMES = Object.keys(MUTATIONS);

  /** Mutations of the bytes a file holds, after the text ones: what no string can say. */
  const BYTE_MUTATIONS = {
    invalidUtf8: (b) => insertBytes(b, pick([[0xe9], [0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]])),
    nul: (b) => insertBytes(b, [0]),
    byteOrderMark: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
    cutInsideCharacter: (b) => {
      const at = b.findIndex((x) => x >= 0xc0);
      return at >= 0 ? b.subarray(0, at + 1) : b;
    },
  };
  const BYTE_NAMES = Object.keys(BYTE_MUTATIONS);

  function insertBytes(bytes, inserted) {
    const at = int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(inserted), bytes.subarray(at)]);
  }

  /** One to three text mutations, then (one time in six) one of the bytes: the mutant's bytes. */
  function mutate(text) {
    let out = text;
    const applied = [];
    for (let n = 1 + int(3); n > 0; n--) {
      const name = pick(NAMES);
      out = MUTATIONS[name](out);
      applied.push(name);
    }
    let bytes = Buffer.from(out, 'utf8');
    if (int(6) === 0) {
      const name = pick(BYTE_NAMES);
      bytes = BYTE_MUTATIONS[name](bytes);
      applied.push(name);
    }
    return { bytes, applied };
  }
  return { random, pick, int, corpus, tokens, mutate };
}
