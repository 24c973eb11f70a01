import { SEVERITIES, type SeveritySetting } from '../core/engine/findings.js';
import { UNUSED_DIRECTIVE_RULE } from '../core/engine/suppressions.js';
import { findRule } from '../rules/index.js';

/** The `connlint.*` settings an editor can send (VS Code: contributed by editors/vscode). */
export interface ClientSettings {
  /** false: no diagnostics at all (published ones are cleared). */
  readonly enable: boolean;
  /** Per-rule severities over connlint.json, like the CLI's --rule. */
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  /** 'off' | 'messages' | 'verbose': 'verbose' logs each check's timing. */
  readonly trace: 'off' | 'messages' | 'verbose';
  /** While changes arrive faster than checks finish, the quiet time awaited before checking again (see DEFAULT_DEBOUNCE_MS). */
  readonly debounceMs: number;
  /** Documents larger than this (UTF-8 bytes; 0: none) are checked in the background when opened and saved, not as they are typed. */
  readonly largeDocumentBytes: number;
}

/** Short: checking an edited function takes milliseconds, and stale checks are dropped anyway. */
export const DEFAULT_DEBOUNCE_MS = 10;

/**
 * A check of a 5 MB document takes ~15 s and ~1 GB: typing in one would hold every other
 * document's requests that long. Real sources past a megabyte are generated or amalgamated.
 */
export const DEFAULT_LARGE_DOCUMENT_BYTES = 1024 * 1024;

export const DEFAULT_SETTINGS: ClientSettings = { enable: true, rules: {}, trace: 'off', debounceMs: DEFAULT_DEBOUNCE_MS, largeDocumentBytes: DEFAULT_LARGE_DOCUMENT_BYTES };

/**
 * Reads the `connlint` section as sent by workspace/configuration or didChangeConfiguration.
 * Anything malformed is ignored with a note (a typo in settings must not stop linting).
 */
export function parseClientSettings(raw: unknown, warn: (message: string) => void): ClientSettings {
  if (raw === null || raw === undefined || typeof raw !== 'object') return DEFAULT_SETTINGS;
  const section = raw as Record<string, unknown>;
  const enable = typeof section['enable'] === 'boolean' ? section['enable'] : true;
  const rules: Record<string, SeveritySetting> = {};
  const rawRules = section['rules'];
  if (rawRules && typeof rawRules === 'object') {
    for (const [id, severity] of Object.entries(rawRules as Record<string, unknown>)) {
      if (!findRule(id) && id !== UNUSED_DIRECTIVE_RULE) warn(`connlint.rules: unknown rule '${id}' ignored`);
      else if (typeof severity !== 'string' || !SEVERITIES.includes(severity as SeveritySetting)) warn(`connlint.rules.${id}: severity must be one of ${SEVERITIES.join(', ')}`);
      else rules[id] = severity as SeveritySetting;
    }
  }
  const traceSection = section['trace'];
  const traceValue = traceSection && typeof traceSection === 'object' ? (traceSection as Record<string, unknown>)['server'] : undefined;
  const trace = traceValue === 'messages' || traceValue === 'verbose' ? traceValue : 'off';
  const debounce = section['debounceMs'];
  const debounceMs = typeof debounce === 'number' && debounce >= 0 && debounce <= 5000 ? debounce : DEFAULT_DEBOUNCE_MS;
  const large = section['largeDocumentBytes'];
  const largeDocumentBytes = typeof large === 'number' && Number.isInteger(large) && large >= 0 ? large : DEFAULT_LARGE_DOCUMENT_BYTES;
  if (large !== undefined && largeDocumentBytes !== large) warn('connlint.largeDocumentBytes: must be a whole number of bytes, 0 or more');
  return { enable, rules, trace, debounceMs, largeDocumentBytes };
}
