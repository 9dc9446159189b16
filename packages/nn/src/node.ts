// @chainrule/nn/node: the Node-only entry (file-system checkpoints). The main entry stays browser-safe.
/**
 * The Node-only entry of `@chainrule/nn`: checkpoints written to and read from files, atomically.
 * @module @chainrule/nn/node
 */
export { loadCheckpoint, loadCheckpointWithMetadata, saveCheckpoint } from './checkpoint';
