// `node --import ./record-imports.mjs …`: appends every module URL the process loads to the file named by
// RECORD_IMPORTS (one per line), through a module resolve hook. Lets a test say what an import pulls in.
import { register } from 'node:module'

register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { file: process.env.RECORD_IMPORTS } })
