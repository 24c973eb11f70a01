import { checkFile, type CheckOptions } from './check-file.js';
import { emptyConfig, type ResolvedConfig } from './config.js';
import type { Finding } from './findings.js';
import { ProjectIndex } from '../project/project-index.js';
import type { Rule } from './rule.js';
import { settingsFor } from './settings.js';
import { prepareSource } from '../project/source-file.js';

/**
 * In-memory analysis of a set of sources as one project (facts of all, then checks of each):
 * what tests, `--stdin` and single-process runs use. The CLI's worker pool does the same in
 * parallel.
 */
export function analyzeSources(
  sources: readonly { path: string; text: string }[],
  options: { rules: readonly Rule[]; config?: ResolvedConfig } & Omit<CheckOptions, 'rules' | 'config'>,
): Finding[] {
  const config = options.config ?? emptyConfig(process.cwd());
  const settings = settingsFor(config);
  const files = sources.map((s) => prepareSource(s.path, s.text, settings));
  const index = new ProjectIndex(files.map((f) => f.facts));
  return files.flatMap((f) => checkFile(f, index, settings, { ...options, config }));
}
