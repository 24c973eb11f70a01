import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LspClient, ROOT, summary, uriOf } from './lsp-client.js';

const EXTENSION = join(ROOT, 'editors', 'vscode');
// Asynchronous: a synchronous child blocks the test worker long enough for vitest's RPC to time out.
const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8'));

/** Every entry of a zip (.vsix) with its bytes, read with yauzl (a dependency of @vscode/vsce). */
async function readZip(file: string): Promise<Map<string, Buffer>> {
  const yauzl = createRequire(join(EXTENSION, 'package.json'))('yauzl') as typeof import('yauzl');
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      zip.on('entry', (entry: { fileName: string }) => {
        zip.openReadStream(entry as never, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.readEntry();
    });
  });
}

describe('VS Code extension (editors/vscode)', () => {
  it('declares activation on C/C++, described settings, the restart command and its dependencies', () => {
    expect(manifest.main).toBe('./out/extension.js');
    expect(manifest.activationEvents).toEqual(['onLanguage:c', 'onLanguage:cpp']);
    expect(manifest.engines.vscode).toBe('^1.91.0');
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    expect(manifest.devDependencies['@vscode/vsce']).toBeDefined();
    const properties = manifest.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string; default: unknown }>;
    expect(Object.keys(properties).sort()).toEqual(['connlint.debounceMs', 'connlint.enable', 'connlint.largeDocumentBytes', 'connlint.rules', 'connlint.server.path', 'connlint.trace.server']);
    for (const [name, p] of Object.entries(properties)) expect((p.description ?? p.markdownDescription ?? '').length, name).toBeGreaterThan(20);
    expect(properties['connlint.enable']!.default).toBe(true);
    expect(properties['connlint.trace.server']!.default).toBe('off');
    expect(manifest.contributes.commands).toEqual([{ command: 'connlint.restartServer', title: 'Restart Server', category: 'connlint' }]);
  });

  it('packages offline to a .vsix that contains a working server', async () => {
    if (!existsSync(join(EXTENSION, 'node_modules', '@vscode', 'vsce'))) await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: EXTENSION, maxBuffer: 64 * 1024 * 1024 });
    await run('npm', ['run', 'package'], { cwd: EXTENSION, maxBuffer: 64 * 1024 * 1024 });
    const entries = await readZip(join(EXTENSION, 'connlint.vsix'));
    const names = [...entries.keys()];
    for (const required of [
      'extension/package.json',
      'extension/out/extension.js',
      'extension/node_modules/vscode-languageclient/package.json',
      'extension/server/bin/connlint-lsp.js',
      'extension/server/dist/server/main.js',
      'extension/server/docs/rules/accept-loop-early-exit.md',
      'extension/server/schema/connlint.schema.json',
      'extension/server/node_modules/vscode-languageserver/package.json',
      'extension/server/node_modules/tree-sitter/prebuilds/linux-x64/tree-sitter.node',
      'extension/server/node_modules/tree-sitter-cpp/prebuilds/linux-x64/tree-sitter-cpp.node',
    ]) expect(names, required).toContain(required);
    expect(names.filter((n) => n.includes('/src/') && n.endsWith('parser.c'))).toEqual([]);
    // Native addons make it a platform package.
    expect(entries.get('extension.vsixmanifest')!.toString()).toContain(`TargetPlatform="${process.platform}-${process.arch}"`);
    expect(names.filter((n) => n.startsWith('extension/src/'))).toEqual([]);

    // Unpack the server and run it: it must find its rules, docs and grammars on its own.
    const unpacked = mkdtempSync(join(tmpdir(), 'connlint-vsix-'));
    try {
      for (const [name, bytes] of entries) {
        if (!name.startsWith('extension/server/')) continue;
        mkdirSync(dirname(join(unpacked, name)), { recursive: true });
        writeFileSync(join(unpacked, name), bytes);
      }
      const workspace = join(unpacked, 'workspace');
      mkdirSync(workspace);
      const sample = readFileSync(join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp'), 'utf8');
      const file = join(workspace, 'bad_server.cpp');
      writeFileSync(file, sample);
      const client = LspClient.start(join(unpacked, 'extension', 'server', 'bin', 'connlint-lsp.js'));
      try {
        await client.initialize(workspace);
        client.open(file, sample);
        expect(summary((await client.nextPublish(uriOf(file))).diagnostics)).toEqual(['accept-loop-early-exit@41']);
      } finally {
        await client.shutdown();
      }
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  }, 240_000);
});
