// sublight is an ES module package (its dependencies — js-libp2p, @noble/*, @scure/* — are ESM-only, so a
// CommonJS build could not load them either). This file is what `require('sublight')` resolves to: it
// says so plainly instead of failing deep inside Node's loader.
throw new Error("sublight is ESM-only: use `import { start } from 'sublight'` (or `await import('sublight')` from CommonJS)")
