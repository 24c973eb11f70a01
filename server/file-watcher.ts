import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { FileChangeType } from 'vscode-languageserver/node';
import { CONFIG_FILE_NAMES } from '../core/engine/config.js';
import { isSourcePath } from '../core/syntax/language.js';
import { pathToUri } from './uri.js';

export interface WatchedChange {
  readonly uri: string;
  readonly type: FileChangeType;
}

/** Events of one save arrive as several (rename, change, change): report them together. */
const SETTLE_MS = 100;

/**
 * The server's own watcher of the workspace folders, for clients that cannot register file
 * watchers (Neovim 0.7, older eglot): without it they would never see `connlint.json` reloaded or
 * facts of other files change on disk. Reports what it sees as `workspace/didChangeWatchedFiles`
 * changes would be, for config files and C/C++ sources only.
 */
export class FallbackWatcher {
  private readonly watchers: FSWatcher[] = [];
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    folders: readonly string[],
    private readonly onChanges: (changes: WatchedChange[]) => void,
    log: (message: string) => void,
  ) {
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { recursive: true, persistent: false }, (_event, name) => {
          if (name) this.note(join(folder, name.toString()));
        });
        // Running out of inotify watches, a folder removed: say so once and stop watching it.
        watcher.on('error', (error) => {
          log(`connlint: stopped watching ${folder}: ${error.message}`);
          watcher.close();
        });
        this.watchers.push(watcher);
      } catch (error) {
        log(`connlint: cannot watch ${folder} for changes (${(error as Error).message}); connlint.json changes apply after a restart`);
      }
    }
  }

  get active(): boolean {
    return this.watchers.length > 0;
  }

  private note(path: string): void {
    if (!(CONFIG_FILE_NAMES as readonly string[]).includes(basename(path)) && !isSourcePath(path)) return;
    if (/[\\/](\.git|node_modules)[\\/]/.test(path)) return;
    this.pending.add(path);
    this.timer ??= setTimeout(() => this.flush(), SETTLE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const changes = [...this.pending].map((path): WatchedChange => ({ uri: pathToUri(path), type: existsSync(path) ? FileChangeType.Changed : FileChangeType.Deleted }));
    this.pending.clear();
    if (changes.length > 0) this.onChanges(changes);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
  }
}
