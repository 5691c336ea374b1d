// Public surface of the sync machines (pure): the light client's chain follower.
export * from './light-sync.ts'
export * from './grandpa-commit.ts'
export * from './consensus-start.ts'
export * from './warp.ts'
export * from './para-view.ts'
