import type { Cfg, TestDecider } from '../flow/cfg.js';
import type { Severity, RelatedLocation, Fix, Location } from './findings.js';
import type { FileAnalysis } from './settings.js';
import type { Span } from '../project/facts.js';
import type { FactsProvider } from '../project/provider.js';
import type { TargetPlatform } from '../syntax/conditionals.js';

/** Metadata every rule declares; formatters (SARIF rules[], --list-rules, LSP hover) read it. */
export interface RuleMeta {
  readonly id: string;
  readonly title: string;
  readonly shortDescription: string;
  readonly fullDescription: string;
  readonly defaultSeverity: Severity;
  readonly tags: readonly string[];
  readonly cwe?: readonly string[];
  /** SARIF `precision`: how often a finding is a true bug on real code. */
  readonly precision: 'very-high' | 'high' | 'medium' | 'low';
  /** GitHub code scanning `security-severity` (0–10), when the rule has a security angle. */
  readonly securitySeverity?: number;
  readonly fixable: boolean;
  /** JSON schema of the rule's options object (merged into schema/connlint.schema.json). */
  readonly optionsSchema?: Readonly<Record<string, unknown>>;
  /**
   * Other builds the rule also checks, besides Linux's (see core/project/platforms.ts): `bsd` for a
   * bug that lives in a kqueue backend. Its findings there that the Linux build lacks say so.
   */
  readonly otherPlatforms?: readonly Exclude<TargetPlatform, 'linux'>[];
}

export interface ReportInput {
  /** Where to report, in the file being checked. */
  readonly span: Span;
  readonly message: string;
  /** Defaults to the configured severity of the rule. */
  readonly severity?: Severity;
  readonly related?: readonly RelatedLocation[];
  readonly path?: readonly RelatedLocation[];
  readonly fix?: Fix;
  /** Index of the enclosing function in the file's facts. */
  readonly functionIndex?: number;
  /** Statement text for the fingerprint. */
  readonly anchorText: string;
}

export interface RuleContext extends FileAnalysis {
  readonly options: Readonly<Record<string, unknown>>;
  readonly severity: Severity;
  /** The function's control-flow graph, built once per file and shared by all rules. */
  cfg(functionIndex: number): Cfg | undefined;
  /** A location in this file. */
  locate(span: Span): Location;
  report(input: ReportInput): void;
}

export interface Rule {
  readonly meta: RuleMeta;
  /** The facts providers whose answers the rule reads (run in the facts pass of every file). */
  readonly providers?: readonly FactsProvider[];
  /** Domain knowledge that decides tests in the CFGs the rule reads (every enabled rule's apply to the shared CFG). */
  readonly testDeciders?: readonly TestDecider[];
  check(context: RuleContext): void;
}
