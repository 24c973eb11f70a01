import { blankComments } from './c-text.js';

/** Which grammar a file is parsed with. */
export type Language = 'c' | 'cpp';

const C_EXTENSIONS = new Set(['.c']);
const CPP_EXTENSIONS = new Set(['.cc', '.cpp', '.cxx', '.c++', '.hpp', '.hh', '.hxx', '.h++', '.ipp', '.tpp']);
const HEADER_EXTENSIONS = new Set(['.h']);

export const SOURCE_EXTENSIONS: readonly string[] = [...C_EXTENSIONS, ...CPP_EXTENSIONS, ...HEADER_EXTENSIONS];

function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSIONS.includes(extensionOf(path));
}

/** A file compiled on its own (`.c`, `.cpp`, …) rather than included: its macros are its own. */
export function isTranslationUnitPath(path: string): boolean {
  const ext = extensionOf(path);
  return C_EXTENSIONS.has(ext) || ext === '.cc' || ext === '.cpp' || ext === '.cxx' || ext === '.c++';
}

/**
 * C++ constructs that cannot appear in C: a `.h` with any of them is parsed as C++. Only tokens
 * at the start of a line or after whitespace count, so identifiers like `my_class` don't.
 */
const CPP_MARKERS = /(^|[\s;{}(])((class|namespace|virtual|constexpr|nullptr|typename|static_cast|reinterpret_cast)\b|template\s*<|(public|private|protected)\s*:|operator\s*[^\w\s]|using\s+namespace|std::|extern\s+"C\+\+")/m;

export function detectLanguage(path: string, text: string, headerLanguage: 'auto' | Language = 'auto'): Language {
  const ext = extensionOf(path);
  if (C_EXTENSIONS.has(ext)) return 'c';
  if (CPP_EXTENSIONS.has(ext)) return 'cpp';
  if (HEADER_EXTENSIONS.has(ext) && headerLanguage !== 'auto') return headerLanguage;
  return CPP_MARKERS.test(blankComments(text)) ? 'cpp' : 'c';
}

