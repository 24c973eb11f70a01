import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary file of a test run — the tests' own folders, and those of the CLI and language
 * servers they start — goes under one folder made here and removed when the run ends: runs used to
 * leave thousands of `connlint-test-*` folders behind. Set before the test processes are forked, so
 * they and their children inherit it (os.tmpdir() reads TMPDIR).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'connlint-tests-'));
  // Like /tmp: tests that run the CLI as another user (an unreadable file, as root) must reach their folders.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
