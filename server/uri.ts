import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * LSP speaks URIs, the engine speaks paths. Only file: URIs name something the engine can analyse;
 * untitled: and other schemes get a stand-in path so the document is still checked on its own.
 */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  // A stable fake absolute path; the extension (from the URI) still picks the language.
  return `/${uri.replace(/^[a-z]+:\/*/i, '').replace(/[?#].*$/, '')}`;
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}
