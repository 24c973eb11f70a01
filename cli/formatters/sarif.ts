import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Location, Severity } from '../../core/engine/findings.js';
import type { Rule } from '../../core/engine/rule.js';
import { ruleDocs, ruleDocsUrl } from '../../core/engine/rule-docs.js';
import { UNUSED_DIRECTIVE_RULE } from '../../core/engine/suppressions.js';
import type { Formatter } from '../report.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: repository-relative URIs under %SRCROOT%, rule metadata
 * with help, codeFlows for paths, partialFingerprints, fixes. Checked in CI with
 * ../shared/tools/validate-sarif.sh --github.
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/connlint/connlint';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', note: 'note' };
const PROBLEM_SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'recommendation' };

/** The repository root (where .git is), else the working directory: GitHub wants repo-relative paths. */
export function sourceRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function ruleDescriptor(rule: Rule): Sarif.ReportingDescriptor {
  const m = rule.meta;
  const docs = ruleDocs(m.id);
  return {
    id: m.id,
    name: pascalCase(m.id),
    shortDescription: { text: m.shortDescription },
    fullDescription: { text: m.fullDescription },
    help: { text: `${m.fullDescription} See ${ruleDocsUrl(m.id)}`, markdown: docs || m.fullDescription },
    helpUri: ruleDocsUrl(m.id),
    defaultConfiguration: { level: LEVEL[m.defaultSeverity] },
    properties: {
      tags: [...m.tags, ...(m.cwe ?? []).map((c) => `external/cwe/${c.toLowerCase()}`)],
      precision: m.precision,
      'problem.severity': PROBLEM_SEVERITY[m.defaultSeverity],
      ...(m.securitySeverity !== undefined ? { 'security-severity': m.securitySeverity.toFixed(1) } : {}),
    },
  };
}

const UNUSED_DIRECTIVE_DESCRIPTOR: Sarif.ReportingDescriptor = {
  id: UNUSED_DIRECTIVE_RULE,
  name: 'UnusedDisableDirective',
  shortDescription: { text: 'A connlint-disable comment suppresses nothing.' },
  fullDescription: { text: 'A connlint-disable comment that suppresses no finding: the code it excused changed, or the rule name is misspelled. Remove it.' },
  help: { text: 'Remove connlint-disable comments that suppress nothing (reported with --report-unused-disable-directives).', markdown: 'Remove `connlint-disable` comments that suppress nothing (reported with `--report-unused-disable-directives`).' },
  defaultConfiguration: { level: 'warning' },
  properties: { tags: ['maintainability'], precision: 'very-high', 'problem.severity': 'warning' },
};

/**
 * A path segment in a URI: percent-encoded UTF-8, and a name that is not UTF-8 (shown as
 * `caf\351.c`, see core/engine/file-names.ts) as its own bytes (`caf%E9.c`), which is what
 * code scanning finds in the repository.
 */
function uriSegment(segment: string): string {
  return segment
    .split(/((?:\\[0-7]{3})+)/)
    .map((part, i) => (i % 2 === 1 ? part.slice(1).split('\\').map((o) => `%${parseInt(o, 8).toString(16).toUpperCase().padStart(2, '0')}`).join('') : encodeURIComponent(part)))
    .join('');
}

export const formatSarif: Formatter = (report) => {
  const root = sourceRoot(report.cwd);
  const descriptors = [...report.rules.map(ruleDescriptor)];
  if (report.findings.some((f) => f.ruleId === UNUSED_DIRECTIVE_RULE)) descriptors.push(UNUSED_DIRECTIVE_DESCRIPTOR);
  const ruleIndex = new Map(descriptors.map((d, i) => [d.id, i]));

  const artifactLocation = (file: string): Sarif.ArtifactLocation => {
    const absolute = isAbsolute(file) ? file : resolve(report.cwd, file);
    const rel = relative(root, absolute);
    if (rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(absolute).href };
    return { uri: rel.split(sep).map(uriSegment).join('/'), uriBaseId: '%SRCROOT%' };
  };
  const region = (l: Location): Sarif.Region => ({ startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: Math.max(l.endColumn, l.line === l.endLine ? l.column + 1 : 1) });
  const physical = (l: Location): Sarif.PhysicalLocation => ({ artifactLocation: artifactLocation(l.file), region: region(l) });

  const results: Sarif.Result[] = report.findings.map((f) => {
    const result: Sarif.Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: physical(f.location), ...(f.functionName ? { logicalLocations: [{ fullyQualifiedName: f.functionName, kind: 'function' }] } : {}) }],
      partialFingerprints: { 'connlintFingerprint/v1': f.fingerprint },
    };
    if (f.related.length > 0) result.relatedLocations = f.related.map((r, i) => ({ id: i + 1, physicalLocation: physical(r.location), message: { text: r.message } }));
    if (f.path && f.path.length > 0) {
      result.codeFlows = [{ threadFlows: [{ locations: f.path.map((step, i) => ({ location: { physicalLocation: physical(step.location), message: { text: step.message } }, executionOrder: i + 1 })) }] }];
    }
    if (f.fix) {
      const byFile = new Map<string, Sarif.Replacement[]>();
      for (const edit of f.fix.edits) {
        const list = byFile.get(edit.location.file) ?? [];
        list.push({ deletedRegion: region(edit.location), insertedContent: { text: edit.newText } });
        byFile.set(edit.location.file, list);
      }
      result.fixes = [{ description: { text: f.fix.description }, artifactChanges: [...byFile].map(([file, replacements]) => ({ artifactLocation: artifactLocation(file), replacements })) }];
    }
    return result;
  });

  const notifications: Sarif.Notification[] = report.problems.map((p) => ({
    level: p.level,
    message: { text: `${p.path}: ${p.message}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(p.path) } }],
  }));

  const run: Sarif.Run = {
    tool: { driver: { name: 'connlint', version: report.toolVersion, semanticVersion: report.toolVersion, informationUri: INFORMATION_URI, rules: descriptors } },
    originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(root.endsWith(sep) ? root : root + sep).href } },
    invocations: [{ executionSuccessful: !report.problems.some((p) => p.level === 'error'), toolExecutionNotifications: notifications }],
    results,
    columnKind: 'utf16CodeUnits',
  };
  if (report.sarifCategory) run.automationDetails = { id: report.sarifCategory.endsWith('/') ? report.sarifCategory : `${report.sarifCategory}/` };
  const log: Sarif.Log = { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
};
