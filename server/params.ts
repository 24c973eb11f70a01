/**
 * Checks of what clients send, before any of it reaches the server's state: a `didOpen` whose text
 * is a number left a document that failed every check after it, and a position of `1.5` put the
 * server's copy of the text out of step with the client's. An invalid request is answered with
 * InvalidParams; an invalid notification is logged and ignored (a notification has no answer).
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';

function positionProblem(v: unknown, where: string): string | undefined {
  if (!isObject(v) || !isCount(v['line']) || !isCount(v['character'])) return `${where} must be a position of non-negative integers`;
  return undefined;
}

function rangeProblem(v: unknown, where: string): string | undefined {
  if (!isObject(v)) return `${where} must be a range`;
  return positionProblem(v['start'], `${where}.start`) ?? positionProblem(v['end'], `${where}.end`);
}

function documentProblem(params: unknown, versioned: boolean): string | undefined {
  if (!isObject(params) || !isObject(params['textDocument']) || !isString(params['textDocument']['uri'])) return 'textDocument.uri must be a string';
  if (versioned && !Number.isInteger(params['textDocument']['version'])) return 'textDocument.version must be an integer';
  return undefined;
}

/** Why `didOpen` parameters are unusable, or undefined. */
export function openProblem(params: unknown): string | undefined {
  const problem = documentProblem(params, true);
  if (problem) return problem;
  const item = (params as { textDocument: Record<string, unknown> }).textDocument;
  if (!isString(item['text'])) return 'textDocument.text must be a string';
  if (!isString(item['languageId'])) return 'textDocument.languageId must be a string';
  return undefined;
}

/** Why `didChange` parameters are unusable, or undefined. */
export function changeProblem(params: unknown): string | undefined {
  const problem = documentProblem(params, true);
  if (problem) return problem;
  const changes = (params as { contentChanges?: unknown }).contentChanges;
  if (!Array.isArray(changes)) return 'contentChanges must be an array';
  for (const [i, change] of changes.entries()) {
    if (!isObject(change) || !isString(change['text'])) return `contentChanges[${i}].text must be a string`;
    if (change['range'] !== undefined) {
      const range = rangeProblem(change['range'], `contentChanges[${i}].range`);
      if (range) return range;
    }
  }
  return undefined;
}

/** Why the parameters of a notification or request about one document are unusable, or undefined. */
export function documentRequestProblem(params: unknown, position?: 'position' | 'range'): string | undefined {
  const problem = documentProblem(params, false);
  if (problem || !position) return problem;
  const p = params as Record<string, unknown>;
  return position === 'position' ? positionProblem(p['position'], 'position') : rangeProblem(p['range'], 'range');
}
