import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ClientCapabilities, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const ROOT = join(import.meta.dirname, '..');
export const SERVER = join(ROOT, 'bin', 'connlint-lsp.js');

export const uriOf = (path: string) => pathToFileURL(path).href;

/** What a capable client (VS Code-like) announces. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    synchronization: { didSave: true },
  },
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true },
    diagnostics: { refreshSupport: true },
  },
  window: { workDoneProgress: true, showMessage: {} },
};

/**
 * The built server (`node bin/connlint-lsp.js --stdio`) driven over stdio by a JSON-RPC client,
 * recording everything the server sends on its own (diagnostics, messages, progress).
 */
export class LspClient {
  readonly connection: MessageConnection;
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: { type: number; message: string }[] = [];
  readonly progress: unknown[] = [];
  readonly registrations: unknown[] = [];
  /** Answers to workspace/configuration (the `connlint` section). */
  settings: unknown = {};
  private readonly waiters: (() => void)[] = [];
  private exited: Promise<number | null>;
  stderr = '';

  private constructor(readonly process: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    process.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => process.on('exit', (code) => resolve(code)));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => this.record(() => this.publishes.push(p)));
    this.connection.onNotification('window/showMessage', (p: { type: number; message: string }) => this.record(() => this.messages.push(p)));
    this.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => this.record(() => this.logs.push(p)));
    this.connection.onNotification('$/progress', (p: unknown) => this.record(() => this.progress.push(p)));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', (p: { registrations: unknown[] }) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    this.connection.listen();
  }

  /** `server`: the launcher to run (default: this repository's bin/connlint-lsp.js). */
  static start(server = SERVER): LspClient {
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new LspClient(child);
  }

  async initialize(rootPath: string | undefined, capabilities: ClientCapabilities = FULL_CAPABILITIES, initializationOptions?: unknown) {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: rootPath ? uriOf(rootPath) : null,
      workspaceFolders: rootPath ? [{ uri: uriOf(rootPath), name: 'root' }] : null,
      capabilities,
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result as { capabilities: Record<string, unknown>; serverInfo: { name: string; version: string } };
  }

  private record(push: () => void): void {
    push();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `predicate` holds over what was received (checked on every message), or fails after `ms`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; publishes: ${JSON.stringify(this.publishes.map((p) => [p.uri.split('/').pop(), p.version, p.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`)]))}\nstderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next publish for `uri` after `after` publishes (for a version, if given). */
  nextPublish(uri: string, options: { after?: number; version?: number } = {}): Promise<PublishDiagnosticsParams> {
    const after = options.after ?? 0;
    return this.waitFor(`publishDiagnostics for ${uri.split('/').pop()}${options.version !== undefined ? ` v${options.version}` : ''}`, () =>
      this.publishes.slice(after).find((p) => p.uri === uri && (options.version === undefined || p.version === options.version)),
    );
  }

  open(path: string, text: string, version = 1): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(path), languageId: path.endsWith('.c') || path.endsWith('.h') ? 'c' : 'cpp', version, text } });
  }

  change(path: string, version: number, changes: unknown[]): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(path), version }, contentChanges: changes });
  }

  /**
   * Several didChange notifications in one write to the server's stdin: it reads them in one chunk
   * and handles them in the same turn (sent one by one, a busy machine can split them across turns).
   */
  changeTogether(path: string, changes: { version: number; changes: unknown[] }[]): void {
    const frames = changes.map(({ version, changes: contentChanges }) => {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: uriOf(path), version }, contentChanges } });
      return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
    });
    this.process.stdin!.write(frames.join(''));
  }

  /** shutdown + exit; the exit code (null if the server had to be killed). Safe on a dead server. */
  async shutdown(): Promise<number | null> {
    const timeout = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const answered = await Promise.race([this.connection.sendRequest('shutdown').then(() => true, () => false), timeout(5000, false)]);
      if (answered) await this.connection.sendNotification('exit').catch(() => undefined);
    }
    const code = await Promise.race([this.exited, timeout(5000, 'timeout' as const)]);
    this.connection.dispose();
    if (code === 'timeout') {
      this.process.kill();
      return null;
    }
    return code;
  }
}

/** "RULE@LINE" for each diagnostic (1-based lines), sorted: what the tests compare. */
export function summary(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`).sort();
}

/** A scratch copy of some files (config tests edit them). */
export function scratchCopy(...sources: string[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-lsp-'));
  for (const s of sources) cpSync(s, join(dir, s.split('/').pop()!), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
