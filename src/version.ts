// sublight's version, as JSON-RPC (`system_version`) and the CLI (`--version`) report it. Kept equal to
// package.json's by a test (test/cli/help.test.ts); a constant, so the browser build needs no file read.
export const SUBLIGHT_VERSION = '0.1.0'
