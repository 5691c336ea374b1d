// Public surface of the codec layer: SCALE reader/writer, codec combinators, hex and byte helpers.
export * from './hex.ts'
export * from './scale.ts'
export * as scale from './codecs.ts'
export type { Codec, CodecType, Result, EnumValue } from './codecs.ts'
export * from './leb128.ts'
