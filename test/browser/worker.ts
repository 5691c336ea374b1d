// The Web Worker script of the browser tests: sublight's worker entry, which serves the port the page sends.
import '../../src/worker.ts'
