// Cold-start page with smoldot 3.4.1's browser entry (and nothing of sublight but the measuring code).
import { start } from 'smoldot'
import type { Client } from '../../src/browser.ts'
import { measure } from './cold-start.ts'

measure((options) => start(options) as unknown as Client)
