import type { Formatter } from '../report.js';

/** GitHub Actions workflow commands: annotations on the pull request's diff. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const COMMAND = { error: 'error', warning: 'warning', note: 'notice' } as const;

export const formatGithub: Formatter = (report) => {
  const lines = report.findings.map((f) => {
    const l = f.location;
    const props = [`file=${escapeProperty(l.file)}`, `line=${l.line}`, `col=${l.column}`, `endLine=${l.endLine}`, `endColumn=${l.endColumn}`, `title=${escapeProperty(`connlint ${f.ruleId}`)}`];
    return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}`;
  });
  for (const p of report.problems) lines.push(`::${COMMAND[p.level]} file=${escapeProperty(p.path)},title=connlint::${escapeData(p.message)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
