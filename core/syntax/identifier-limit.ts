/**
 * Longest identifier analysed. The analysis matches names in text with regular expressions built
 * from them, and V8 refuses one past about 32,000 characters ("Regular expression too large");
 * C guarantees 63 significant characters and no real program comes near this.
 */
export const MAX_IDENTIFIER_CHARS = 4096;

const OVERLONG_IDENTIFIER = new RegExp(`[A-Za-z_$][\\w$]{${MAX_IDENTIFIER_CHARS},}`);

/** Why a text is not analysed as a whole (a reason that ends in "skipped"), or undefined. */
export function textLimitProblem(text: string): string | undefined {
  const overlong = OVERLONG_IDENTIFIER.exec(text);
  if (!overlong) return undefined;
  let end = overlong.index + overlong[0].length;
  while (end < text.length && /[\w$]/.test(text[end]!)) end++;
  return `has an identifier of ${(end - overlong.index).toLocaleString('en-US')} characters, over the limit of ${MAX_IDENTIFIER_CHARS.toLocaleString('en-US')}; skipped`;
}
