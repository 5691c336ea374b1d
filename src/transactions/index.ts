// Public surface of the transaction-validity codecs (pure).
export * from './validity.ts'
export * from './inclusion.ts'
