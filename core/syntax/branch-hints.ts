/**
 * Calls that only hint at how their condition goes, read as that condition: by the CFG
 * (`if (unlikely(fd < 0))`) and by the macro reader (`#define CHECK(e) if (OSMO_UNLIKELY(!(e))) …`).
 */
const BRANCH_HINTS = new Set(['likely', 'unlikely', '__builtin_expect', 'LIKELY', 'UNLIKELY', 'G_LIKELY', 'G_UNLIKELY', 'ngx_likely', 'ngx_unlikely', 'TEST_CHECK', 'TEST_CHECK_']);
/**
 * A project's own hint of one argument: `nxt_slow_path(x)`, `ossl_unlikely(x)`, `EXPECT_FALSE(x)`,
 * `OSMO_UNLIKELY(x)`. (acutest's `TEST_CHECK(x)` also returns whether `x` held: `if
 * (!TEST_CHECK(fp != NULL)) return;`.)
 */
const BRANCH_HINT_NAME = /(?:^|_)(?:likely|unlikely|fast_?path|slow_?path|expect_?true|expect_?false)$/i;

/** Is a call of `name` with `argCount` arguments a branch hint, whose first argument is the condition? */
export function isBranchHintCall(name: string, argCount: number): boolean {
  return BRANCH_HINTS.has(name) || (BRANCH_HINT_NAME.test(name) && argCount === 1);
}
