#!/usr/bin/env node
// The `sublight` command: loads the TypeScript CLI through tsx (a runtime dependency), so `npx sublight` works after `npm ci`.
import { register } from 'tsx/esm/api'
register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
