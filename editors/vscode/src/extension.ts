import * as path from 'node:path';
import { commands, window, workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/**
 * Starts connlint-lsp for C/C++ files: the server bundled in the extension (server/, a copy of the
 * connlint package with its production dependencies), or `connlint.server.path` when set.
 */
let client: LanguageClient | undefined;
let output: LogOutputChannel | undefined;

function serverOptions(context: ExtensionContext): ServerOptions {
  const configured = workspace.getConfiguration('connlint').get<string>('server.path', '').trim();
  if (configured) {
    const command = path.isAbsolute(configured) || !workspace.workspaceFolders?.length ? configured : path.join(workspace.workspaceFolders[0]!.uri.fsPath, configured);
    return { command, args: ['--stdio'], transport: TransportKind.stdio };
  }
  // Run with VS Code's own Node (the tree-sitter addons are N-API prebuilds, so its ABI is fine).
  const module = context.asAbsolutePath(path.join('server', 'bin', 'connlint-lsp.js'));
  return { run: { module, transport: TransportKind.stdio }, debug: { module, transport: TransportKind.stdio } };
}

function clientOptions(channel: LogOutputChannel): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp' },
      { scheme: 'untitled', language: 'c' },
      { scheme: 'untitled', language: 'cpp' },
    ],
    outputChannel: channel,
    traceOutputChannel: channel,
    // The server answers workspace/configuration for the `connlint` section.
    synchronize: { configurationSection: 'connlint' },
    middleware: {
      // VS Code pulls diagnostics (textDocument/diagnostic); the server also pushes them for
      // push-only editors. Showing both would list every finding twice.
      handleDiagnostics: () => undefined,
    },
  };
}

async function start(context: ExtensionContext): Promise<void> {
  output ??= window.createOutputChannel('connlint', { log: true });
  client = new LanguageClient('connlint', 'connlint', serverOptions(context), clientOptions(output));
  await client.start();
}

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    commands.registerCommand('connlint.restartServer', async () => {
      if (client) await client.stop();
      client = undefined;
      await start(context);
      output?.appendLine('connlint: server restarted');
    }),
    workspace.onDidChangeConfiguration(async (event) => {
      // A different server binary needs a new process; other settings travel over LSP.
      if (event.affectsConfiguration('connlint.server.path')) await commands.executeCommand('connlint.restartServer');
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
