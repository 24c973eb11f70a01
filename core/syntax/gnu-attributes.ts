/**
 * GCC's attribute keyword. GCC and Clang accept it in two spellings, `__attribute__((…))` and
 * `__attribute((…))` (AppArmor's `#define autoclose __attribute((cleanup(_aa_autoclose)))`); a
 * pattern that knows only the first misses every declaration made with the second.
 */
export const GNU_ATTRIBUTE = '__attribute(?:__)?';

export function isGnuAttributeKeyword(name: string): boolean {
  return name === '__attribute__' || name === '__attribute';
}
