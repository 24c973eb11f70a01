#!/usr/bin/env node
// Bundles the server and packages connlint.vsix for this platform (the native tree-sitter addons
// make the package platform-specific: `vsce package --target`). Offline: vsce only zips files.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: extensionDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run(process.execPath, [join(extensionDir, 'scripts', 'bundle-server.mjs')]);
const target = `${process.platform}-${process.arch}`;
run(process.execPath, [join(extensionDir, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--skip-license', '--target', target, '--out', 'connlint.vsix']);
