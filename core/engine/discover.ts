import { argumentFile, entriesOf, fsPath, shownName } from './file-names.js';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isSourcePath } from '../syntax/language.js';
import type { ConfigResolver } from './config.js';

/**
 * Which files a run analyses. Directories are walked honouring .gitignore files (those above the
 * walked folder up to the repository root, and those inside it) and the config's `ignore` globs;
 * only C/C++ extensions are taken from directories. Explicit file paths are always analysed.
 */
export interface Discovery {
  readonly files: string[];
  /** Paths that could not be used, with why (unreadable, loops, nonexistent). */
  readonly problems: { path: string; message: string; fatal: boolean }[];
  /** Folders and files under named folders left out as another operating system's (OTHER_PLATFORM_FOLDER, OTHER_PLATFORM_FILE). */
  readonly otherPlatformFolders: string[];
}

/**
 * Folders of another operating system's code (`src/solaris/`, `win32/`, `bsd/`): a Linux build
 * selects its own and never compiles these, and their functions (another `setup_device()`) are not
 * the ones a Linux build calls. Left out of folder walks; a folder or file named on the command
 * line is analysed whatever its name.
 */
const OTHER_PLATFORM_FOLDER = /^(?:win32|win64|windows|mingw(?:32|64)?|cygwin|msvc|darwin|mac|macos|macosx|osx|ios|solaris|sunos|bsd|freebsd|openbsd|netbsd|dragonfly|aix|hpux|haiku|qnx|vxworks|os2|amiga|amigaos|vms|msdos|riscos|beos|netware|tpf|os390|zos|bs2000|wince)$/i;

/**
 * Source files named for another operating system (libusb's `os/netbsd_usb.c`, `darwin_usb.c`,
 * `windows_winusb.c`): the backend a Linux build does not compile. Headers stay (their macros
 * may matter); like folders, a file named on the command line is analysed.
 */
const OTHER_PLATFORM_FILE = /^(?:win32|win64|windows|darwin|macos|macosx|osx|solaris|sunos|freebsd|openbsd|netbsd|dragonfly|aix|hpux|haiku|qnx)(?:[_-][\w-]*)?\.(?:c|cc|cpp|cxx|c\+\+)$/i;

interface IgnoreLayer {
  readonly base: string;
  readonly rules: Ignore;
}

export interface DiscoveryOptions {
  /**
   * Follow symbolic links that lead out of the folder being walked (off by default: a link to
   * another tree would pull it in, and a link to a file already walked would report it twice).
   */
  readonly followSymlinks?: boolean;
}

export function discoverFiles(paths: readonly string[], cwd: string, configs: ConfigResolver, options: DiscoveryOptions = {}): Discovery {
  const files: string[] = [];
  const seen = new Set<string>();
  const problems: Discovery['problems'] = [];
  const otherPlatformFolders: string[] = [];
  // One physical file is reported once, under the first name it was found by.
  const add = (file: string) => {
    const key = realOrResolved(resolve(cwd, file));
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let stats;
    let named = path;
    let found = absolute;
    try {
      stats = statSync(absolute);
    } catch (error) {
      // A name that is not UTF-8, as the shell passed it (or as connlint shows it).
      const file = argumentFile(absolute);
      if (!file) {
        problems.push({ path, message: describeFsError(error), fatal: true });
        continue;
      }
      stats = statSync(fsPath(file));
      found = file;
      named = isAbsolute(path) ? file : relative(cwd, file);
    }
    if (stats.isFile()) add(named);
    else if (stats.isDirectory()) walkDirectory(found, cwd, gitignoreLayers(absolute), configs, add, problems, otherPlatformFolders, options.followSymlinks === true);
    else problems.push({ path, message: 'not a regular file or directory', fatal: true });
  }
  return { files, problems, otherPlatformFolders };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (symlink loop)';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return (error as Error).message;
  }
}

/** .gitignore files from the repository root down to (excluding) `dir`. */
function gitignoreLayers(dir: string): IgnoreLayer[] {
  // A repository root of its own (a nested repository, a project root found for named files): the
  // .gitignore files of an enclosing repository do not apply to it.
  if (existsSync(join(dir, '.git'))) return [];
  const chain: string[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    chain.unshift(current);
    if (existsSync(join(current, '.git')) || dirname(current) === current) break;
  }
  if (!existsSync(join(chain[0]!, '.git'))) return [];
  return chain.map(loadGitignore).filter((l): l is IgnoreLayer => l !== undefined);
}

function loadGitignore(dir: string): IgnoreLayer | undefined {
  const file = join(dir, '.gitignore');
  try {
    return { base: dir, rules: ignore().add(readFileSync(file, 'utf8')) };
  } catch {
    return undefined;
  }
}

function ignoredBy(layers: readonly IgnoreLayer[], path: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const rel = relative(layer.base, path).split(sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

const configIgnores = new Map<string, Ignore>();

function ignoredByConfig(configs: ConfigResolver, path: string, isDir: boolean): boolean {
  const config = configs.forDirectory(isDir ? path : dirname(path));
  if (config.ignore.length === 0) return false;
  const key = `${config.baseDir}\0${config.ignore.join('\0')}`;
  let rules = configIgnores.get(key);
  if (!rules) {
    rules = ignore().add([...config.ignore]);
    configIgnores.set(key, rules);
  }
  const rel = relative(config.baseDir, path).split(sep).join('/');
  if (!rel || rel.startsWith('..')) return false;
  return rules.ignores(isDir ? `${rel}/` : rel);
}

function realOrResolved(path: string): string {
  try {
    return shownName(realpathSync.native(fsPath(path), { encoding: 'buffer' }));
  } catch {
    return path;
  }
}

function walkDirectory(root: string, cwd: string, inherited: IgnoreLayer[], configs: ConfigResolver, add: (f: string) => void, problems: Discovery['problems'], otherPlatformFolders: string[], followSymlinks: boolean): void {
  const visitedReal = new Set<string>();
  const realRoot = realOrResolved(root);
  const insideRoot = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  // Explicit stack: directory trees can be deep, and symlinks can make them cyclic.
  const stack: { dir: string; layers: IgnoreLayer[] }[] = [{ dir: root, layers: inherited }];
  while (stack.length > 0) {
    const { dir, layers: parentLayers } = stack.pop()!;
    let real: string;
    try {
      real = shownName(realpathSync.native(fsPath(dir), { encoding: 'buffer' }));
    } catch (error) {
      problems.push({ path: relative(cwd, dir) || '.', message: describeFsError(error), fatal: true });
      continue;
    }
    if (visitedReal.has(real)) {
      problems.push({ path: relative(cwd, dir), message: 'directory already visited through a symbolic link (loop), skipped', fatal: false });
      continue;
    }
    visitedReal.add(real);
    let entries: ReturnType<typeof entriesOf>;
    try {
      entries = entriesOf(dir);
    } catch (error) {
      // A folder that cannot be read is an error of the run, as a file that cannot be read is.
      problems.push({ path: relative(cwd, dir) || '.', message: describeFsError(error), fatal: true });
      continue;
    }
    const own = loadGitignore(dir);
    const layers = own ? [...parentLayers, own] : parentLayers;
    const subdirs: string[] = [];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(fsPath(full));
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          problems.push({ path: relative(cwd, full), message: describeFsError(error), fatal: false });
          continue;
        }
        // A link out of the folder being walked is not followed unless asked (--follow-symlinks).
        if (!followSymlinks && (isDir || (isFile && isSourcePath(entry.name))) && !insideRoot(realOrResolved(full))) continue;
      }
      if (isDir) {
        if (ignoredBy(layers, full, true) || ignoredByConfig(configs, full, true)) continue;
        if (OTHER_PLATFORM_FOLDER.test(entry.name)) otherPlatformFolders.push(relative(cwd, full));
        else subdirs.push(full);
      } else if (isFile && isSourcePath(entry.name)) {
        if (OTHER_PLATFORM_FILE.test(entry.name)) otherPlatformFolders.push(relative(cwd, full));
        else if (!ignoredBy(layers, full, false) && !ignoredByConfig(configs, full, false)) add(relative(cwd, full) || entry.name);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ dir: subdirs[i]!, layers });
  }
}
