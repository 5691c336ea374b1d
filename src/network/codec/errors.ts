// The network codecs' error: malformed or oversized data from a peer. The service drops and bans the
// peer on it; it never escapes as anything else.
export type ProtocolErrorCode = 'Malformed' | 'TooLarge' | 'WrongGenesis' | 'Unsupported'

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message)
  }
}
