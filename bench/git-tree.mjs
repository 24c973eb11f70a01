// What the bench scripts take of a repository at a revision: its C/C++ sources and its build files
// (configure.ac, CMakeLists.txt, Makefile.am, meson.build, config.h.in …, as connlint's own
// build-files.ts names them), which decide the configuration switches connlint takes as unset.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isBuildFileName } from '../dist/core/engine/build-files.js';
// The sources connlint itself reads (`.c++`, `.h++`, `.ipp` too: Cap'n Proto's are `.c++`).
import { isSourcePath } from '../dist/core/syntax/language.js';

/** Writes the sources and build files of `rev` in the repository at `gitDir` under `dir`; returns how many. */
export function extractTree(gitDir, rev, dir) {
  const git = (...a) => execFileSync('git', [`--git-dir=${gitDir}`, ...a], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const entries = git('ls-tree', '-r', rev)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split('\t');
      return { type: meta.split(' ')[1], sha: meta.split(' ')[2], path };
    })
    .filter((e) => e.type === 'blob' && (isSourcePath(e.path) || isBuildFileName(basename(e.path))));
  let written = 0;
  for (const { sha, path } of entries) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    try {
      writeFileSync(join(dir, path), execFileSync('git', [`--git-dir=${gitDir}`, 'cat-file', 'blob', sha], { maxBuffer: 1 << 28 }));
      written++;
    } catch {
      // A blob the clone does not have (a partial mirror): the file is left out.
    }
  }
  return written;
}
