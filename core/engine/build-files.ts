import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { namesBuildMaySet, type BuildFile } from '../project/build-options.js';
import { switchUsage, unsetSwitches, zeroSwitches, type SwitchUsage } from '../project/unset-switches.js';
import { detectLanguage } from '../syntax/language.js';

/** Configuration switches a default build leaves unset (`unset`) or sets (`set`), from the project's sources and build files. */
export interface ProjectSwitches {
  readonly unset: readonly string[];
  readonly set: readonly string[];
  /** Switches the project defines only as 0 and nothing else sets (see zeroSwitches). */
  readonly zero: readonly string[];
  /**
   * By file (its path as the run names it, absolute on disk): the switches the configuration
   * header it includes defines outside any `#if` (minissdpd's `config.h`: `#define USE_DAEMON`).
   */
  readonly byFile?: Readonly<Record<string, readonly string[]>>;
}

const NO_SWITCHES: ProjectSwitches = { unset: [], set: [], zero: [] };

/**
 * The build files around a run's sources, and the configuration switches nothing in the project
 * sets (see core/project/unset-switches.ts). Build files are looked for in the sources' folders
 * and the folders above them (to the project root; without one, a few levels), and in the usual
 * subfolders of those that hold build logic (`cmake/`, `m4/`, `build-aux/`): not in a whole tree,
 * so a run on one folder of a large repository reads a handful of files.
 */

/** configure.ac and its macros, Makefiles, CMake, Meson, SCons, GYP, Bazel, qmake, Kconfig, and config.h templates. */
const BUILD_FILE = /^(?:configure(?:\.ac|\.in)?|[\w.+-]+\.m4|(?:GNU)?[Mm]akefile(?:\.am|\.in)?|[\w.+-]+\.(?:mk|mak|am|cmake|gypi?|bzl|pro|pri)|CMakeLists\.txt|meson\.build|meson_options\.txt|meson\.options|SConstruct|SConscript|BUILD(?:\.bazel)?|Kconfig[\w.-]*|[\w.+-]+\.h\.(?:in|cmake|cmakein|meson))$/;

const BUILD_FOLDER = /^(?:cmake|m4|build-aux|autoconf|autotools|mk|meson|buildtools)$/i;

/** Folders above a source's folder looked at when the run has no project root. */
const LEVELS_WITHOUT_ROOT = 3;

/** Larger files (a vendored amalgamation misnamed, a log) are no build logic worth reading. */
const MAX_BUILD_FILE_BYTES = 16 * 1024 * 1024;

export function isBuildFileName(name: string): boolean {
  return BUILD_FILE.test(name);
}

/** Build files in the folders of `sources` and above them (absolute paths). */
export function buildFilesAround(sources: readonly string[], root: string | undefined): string[] {
  const folders = new Set<string>();
  for (const dir of new Set(sources.map((s) => dirname(s)))) {
    let current = dir;
    for (let level = 0; ; level++) {
      if (folders.has(current)) break;
      folders.add(current);
      if (root !== undefined ? current === root || !current.startsWith(root) : level >= LEVELS_WITHOUT_ROOT) break;
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  const files: string[] = [];
  const visit = (folder: string, nested: boolean) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && BUILD_FILE.test(entry.name)) files.push(join(folder, entry.name));
      else if (!nested && entry.isDirectory() && BUILD_FOLDER.test(entry.name)) visit(join(folder, entry.name), true);
    }
  };
  for (const folder of folders) visit(folder, false);
  return files.sort();
}

/**
 * The switches nothing sets and those a default build sets, for a run over `sources` (absolute paths). `texts`: sources not read
 * from disk (standard input).
 */
export function projectSwitches(sources: readonly string[], root: string | undefined, texts: ReadonlyMap<string, string> = new Map()): ProjectSwitches {
  const buildFiles = buildFilesAround(sources, root);
  const read: BuildFile[] = [];
  for (const file of buildFiles) {
    const text = readSmall(file);
    if (text !== undefined) read.push({ name: basename(file), text });
  }
  const usages = new Map<string, SwitchUsage>();
  for (const source of sources) {
    const text = texts.get(source) ?? readSmall(source);
    if (text !== undefined) usages.set(source, switchUsage(text, detectLanguage(source, text)));
  }
  return switchesOf(usages, read);
}

/** In-memory sources of a test or an editor, build files among them told apart by name. */
export function switchesOfSources(sources: readonly { path: string; text: string }[]): ProjectSwitches {
  const read: BuildFile[] = [];
  const usages = new Map<string, SwitchUsage>();
  for (const { path, text } of sources) {
    if (BUILD_FILE.test(basename(path))) read.push({ name: basename(path), text });
    else usages.set(path, switchUsage(text, detectLanguage(path, text)));
  }
  return switchesOf(usages, read);
}

function switchesOf(usages: ReadonlyMap<string, SwitchUsage>, buildFiles: readonly BuildFile[]): ProjectSwitches {
  const all = [...usages.values()];
  const tested = new Set(all.flatMap((u) => u.tested));
  const byFile = definedByConfigHeaders(usages, tested);
  // Without build files there is no telling which switches the build sets; a configuration header still says what it defines.
  if (buildFiles.length === 0) return byFile ? { ...NO_SWITCHES, byFile } : NO_SWITCHES;
  const build = namesBuildMaySet(buildFiles);
  const unset = unsetSwitches(all, build.mentioned, buildFiles.length);
  const zero = zeroSwitches(all, build.mentioned, buildFiles.length, unset);
  return { unset: [...unset].sort(), set: [...build.onByDefault].filter((n) => tested.has(n)).sort(), zero: [...zero].sort(), ...(byFile ? { byFile } : {}) };
}

/**
 * For each file including a configuration header of the project (beside it, else the one file of
 * that name), the switches the header defines outside any `#if`, among those some file tests.
 */
function definedByConfigHeaders(usages: ReadonlyMap<string, SwitchUsage>, tested: ReadonlySet<string>): Record<string, string[]> | undefined {
  let byName: Map<string, string[]> | undefined;
  const out: Record<string, string[]> = {};
  for (const [path, usage] of usages) {
    const names = new Set<string>();
    for (const written of usage.configHeaders) {
      let header = usages.has(join(dirname(path), written)) ? join(dirname(path), written) : undefined;
      if (!header) {
        byName ??= groupByName([...usages.keys()]);
        const candidates = byName.get(basename(written)) ?? [];
        if (candidates.length === 1) header = candidates[0];
      }
      for (const name of header ? usages.get(header)!.unconditional : []) if (tested.has(name)) names.add(name);
    }
    if (names.size > 0) out[path] = [...names].sort();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function groupByName(paths: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const path of paths) {
    const name = basename(path);
    byName.set(name, [...(byName.get(name) ?? []), path]);
  }
  return byName;
}

function readSmall(path: string): string | undefined {
  try {
    if (statSync(path).size > MAX_BUILD_FILE_BYTES) return undefined;
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
