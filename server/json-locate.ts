/**
 * Where a JSON pointer lands in a JSON text, as offsets: the config validator reports `/rules/x`,
 * the editor needs a range in connlint.json to put the diagnostic on. A small position-keeping
 * parser (the text already passed JSON.parse when a pointer is reported, so it is well formed).
 */
interface JsonNode {
  readonly start: number;
  readonly end: number;
  /** Object members: key → [key range, value]. */
  readonly members?: Map<string, { keyStart: number; keyEnd: number; value: JsonNode }>;
  readonly items?: JsonNode[];
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  value(): JsonNode {
    this.skipSpace();
    const start = this.pos;
    const ch = this.text[this.pos];
    if (ch === '{') {
      this.pos++;
      const members = new Map<string, { keyStart: number; keyEnd: number; value: JsonNode }>();
      for (;;) {
        this.skipSpace();
        if (this.text[this.pos] === '}') break;
        const keyStart = this.pos;
        const key = this.string();
        const keyEnd = this.pos;
        this.skipSpace();
        this.pos++; // ':'
        members.set(key, { keyStart, keyEnd, value: this.value() });
        this.skipSpace();
        if (this.text[this.pos] === ',') this.pos++;
        else break;
      }
      this.pos++; // '}'
      return { start, end: this.pos, members };
    }
    if (ch === '[') {
      this.pos++;
      const items: JsonNode[] = [];
      for (;;) {
        this.skipSpace();
        if (this.text[this.pos] === ']') break;
        items.push(this.value());
        this.skipSpace();
        if (this.text[this.pos] === ',') this.pos++;
        else break;
      }
      this.pos++; // ']'
      return { start, end: this.pos, items };
    }
    if (ch === '"') {
      this.string();
      return { start, end: this.pos };
    }
    // number, true, false, null
    while (this.pos < this.text.length && /[^\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
    return { start, end: this.pos };
  }

  string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }
}

/**
 * Offsets [start, end) of the value at `pointer` (or of the deepest existing parent). With
 * `memberName`, the key of that member inside the object at `pointer` (an unknown property is
 * best shown on its own name).
 */
export function locatePointer(text: string, pointer: string, memberName?: string): { start: number; end: number } {
  let node: JsonNode;
  try {
    node = new Scanner(text).value();
  } catch {
    return { start: 0, end: 0 };
  }
  const segments = pointer === '' || pointer === '/' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const segment of segments) {
    const next = node.members?.get(segment)?.value ?? node.items?.[Number(segment)];
    if (!next) break;
    node = next;
  }
  const member = memberName !== undefined ? node.members?.get(memberName) : undefined;
  if (member) return { start: member.keyStart, end: member.keyEnd };
  return { start: node.start, end: node.end };
}
