import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { ConnlintServer } from './server.js';

/**
 * `connlint-lsp --stdio` (what VS Code, Neovim, Emacs and Helix start). The transport comes from
 * the arguments (--stdio, --node-ipc, --socket=N), as vscode-languageserver reads them.
 */
export function main(argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: connlint-lsp --stdio\nThe connlint language server (LSP over stdio); see README "Editor integration".\n');
    return;
  }
  if (!argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) process.argv.push('--stdio');
  const connection = createConnection(ProposedFeatures.all);
  // A bug in one check must never take the editor's linting down: log it and keep serving.
  process.on('uncaughtException', (error) => connection.console.error(`connlint: internal error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`connlint: internal error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  new ConnlintServer(connection).listen();
}
