// Cold-start page with sublight's browser entry (and nothing of smoldot).
import { start } from '../../src/browser.ts'
import { measure } from './cold-start.ts'

measure(start)
