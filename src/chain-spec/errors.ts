// The chain-spec module's error: every failure names the JSON field it concerns.
export type ChainSpecErrorCode = 'BadJson' | 'MissingField' | 'BadField' | 'Unsupported' | 'BadCheckpoint'

export class ChainSpecError extends Error {
  override readonly name = 'ChainSpecError'
  constructor(
    readonly code: ChainSpecErrorCode,
    /** Path of the offending field, e.g. `bootNodes[2]` or `lightSyncState.babeEpochChanges`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`)
  }
}
