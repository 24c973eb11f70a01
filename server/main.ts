import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageReader } from 'vscode-languageserver/node';
import { FrameGuard } from './framing.js';
import { SingleWriteMessageWriter } from './message-writer.js';
import { ConnlintServer } from './server.js';

/**
 * `connlint-lsp --stdio` (what VS Code, Neovim, Emacs and Helix start). Other transports
 * (--node-ipc, --socket=N, --pipe=NAME) are read from the arguments by vscode-languageserver.
 */
export function main(argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: connlint-lsp --stdio\nThe connlint language server (LSP over stdio); see README "Editor integration".\n');
    return;
  }
  const stdio = !argv.some((a) => a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'));
  if (stdio) consoleToStderr();
  // Over stdio, a malformed header is skipped (see FrameGuard) and each message goes out in one write (see SingleWriteMessageWriter).
  const input = stdio ? process.stdin.pipe(new FrameGuard((message) => void process.stderr.write(`${message}\n`))) : undefined;
  const connection = input ? createConnection(ProposedFeatures.all, new StreamMessageReader(input), new SingleWriteMessageWriter(process.stdout)) : createConnection(ProposedFeatures.all);
  // A bug in one check must never take the editor's linting down: log it and keep serving.
  process.on('uncaughtException', (error) => connection.console.error(`connlint: internal error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`connlint: internal error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  const server = new ConnlintServer(connection);
  server.listen();
  if (stdio) {
    // The editor went away without `exit` (or after it): as vscode-languageserver does for streams.
    const exitWhenClosed = () => process.exit(server.shutdownRequested ? 0 : 1);
    process.stdin.on('end', exitWhenClosed);
    process.stdin.on('close', exitWhenClosed);
  }
}

/** stdout carries the protocol and nothing else: console output goes to stderr, which editors log. */
function consoleToStderr(): void {
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir'] as const) {
    console[method] = (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`);
  }
}
