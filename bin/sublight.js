#!/usr/bin/env node
// The `sublight` command. In an installed package it runs the compiled CLI (dist/); in a source checkout
// (src/ present, tsx installed as a dev dependency) it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs'

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url))
if (fromSource) (await import('tsx/esm/api')).register()
const { main } = await import(fromSource ? '../src/cli/main.ts' : '../dist/cli/main.js')
const code = await main(process.argv.slice(2))
process.exitCode = code
// a command that has returned is done: whatever handle a failed start left open must not keep us alive
setTimeout(() => process.exit(code), 200).unref()
