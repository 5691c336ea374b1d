// Public surface of the chain: the fork tree of non-finalized blocks (pure).
export * from './fork-tree.ts'
