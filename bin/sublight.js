#!/usr/bin/env node
// The `sublight` command: loads the TypeScript CLI through tsx (a runtime dependency), so `npx sublight` works after `npm ci`.
import { register } from 'tsx/esm/api'
register()
const { main } = await import('../src/cli/main.ts')
const code = await main(process.argv.slice(2))
process.exitCode = code
// a command that has returned is done: whatever handle a failed start left open must not keep us alive
setTimeout(() => process.exit(code), 200).unref()
