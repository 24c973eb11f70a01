/** Larger inputs are generated code or data, not something to lint (the CLI skips them, the LSP server leaves them alone). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
