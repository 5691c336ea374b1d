// Hand-assembled WebAssembly modules for executor tests (no compiler needed): runtime-shaped (memory,
// __heap_base) with functions of the runtime-call signature (i32, i32) -> i64.
import { fromHex } from '../../src/codec/index.ts'

/** `spin`: `(loop (br 0))` forever; `bad`: `unreachable`. */
export const SPIN_WASM = fromHex(
  '0x0061736d01000000' +
    '0107016002' + '7f7f017e' +
    '0303020000' +
    '0503010002' +
    '0607017f00418008' + '0b' +
    '0725' + '04' + '066d656d6f72790200' + '0b5f5f686561705f626173650300' + '047370696e0000' + '036261640001' +
    '0a0e02' + '080003400c000b000b' + '0300000b',
)
