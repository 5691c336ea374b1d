// The trie module's one error class for bad data from outside (malformed nodes or proofs).
export type TrieErrorCode =
  | 'BadNodeHeader' // unknown header prefix or impossible nibble count
  | 'BadNode' // node body inconsistent with its header (padding, bitmap, lengths, trailing bytes)
  | 'BadChildReference' // a child reference longer than a hash
  | 'ProofTooLarge' // proof exceeds the caller's size limits
  | 'MissingRoot' // the proof does not contain the root node

export class TrieError extends Error {
  override readonly name = 'TrieError'
  constructor(
    readonly code: TrieErrorCode,
    message: string,
  ) {
    super(message)
  }
}
