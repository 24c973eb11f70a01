import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../core/engine/config.js';
import { syntaxCoverage } from '../core/engine/coverage.js';
import { settingsFor } from '../core/engine/settings.js';
import { prepareSource } from '../core/project/source-file.js';
import { runCli, tempDir } from './cli-helpers.js';

/** An `#if` splitting an `if` (the grammar cannot parse it: a region of the body is skipped). */
const SPLIT_IF = `int split(int fd) {
#ifdef HAVE_IOCTL
    if (ioctl(fd, 1) < 0) {
#else
    if (fcntl(fd, 1) < 0) {
#endif
        return -1;
    }
    return 0;
}
`;
const CLEAN = 'int clean(int a) {\n    return a + 1;\n}\n';
/** A statement the grammar cannot parse inside a function it recognises: that region is skipped. */
const PARTIAL = 'int partial(int a) {\n    int b = a + ) ;\n    return b;\n}\n';
/** A function inside a struct that is never closed: the grammar sees no function there, only an error. */
const LOST = 'struct s { int lost(int a) {\n return a; }\n';
const GARBAGE = `int mostly_garbage(void) {\n${'    ) ) ) ( ( ] ] [ ;\n'.repeat(4)}    return 1;\n}\n`;

describe('syntax coverage (what the preprocessor issue must raise)', () => {
  it('counts function bodies, those with regions skipped for syntax errors, and those skipped entirely', () => {
    const settings = settingsFor(emptyConfig('/'));
    const file = prepareSource('a.c', CLEAN + PARTIAL + GARBAGE + SPLIT_IF + LOST, settings);
    // split() is not a function to the grammar (only a file-level error); the configuration-resolved
    // copy makes it one (recovered). lost() stays lost.
    expect(syntaxCoverage(file)).toEqual({ functions: 4, withSkippedRegions: 2, skipped: 1, lost: 1, recovered: 1 });
    expect(syntaxCoverage(prepareSource('b.c', CLEAN, settings))).toEqual({ functions: 1, withSkippedRegions: 0, skipped: 0, lost: 0, recovered: 0 });
  });

  it('--debug sums it up over the run, worker threads included', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.c'), CLEAN + PARTIAL + SPLIT_IF + LOST);
    writeFileSync(join(dir, 'b.c'), CLEAN);
    for (const jobs of ['1', '2']) {
      const out = runCli(['--debug', '--jobs', jobs, '.'], { cwd: dir });
      expect(out.stderr).toContain('connlint: debug: 5 function bodies: 3 (60.0 %) analysed whole (1 of them through a configuration-resolved copy), 1 with regions skipped for syntax errors, 0 skipped (mostly syntax errors), 1 not recognised by the grammar (preprocessor lines or macros break their syntax)\n');
    }
  });
});
