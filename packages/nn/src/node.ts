// @chainrule/nn/node: the Node-only entry (file-system checkpoints). The main entry stays browser-safe.
export { loadCheckpoint, loadCheckpointWithMetadata, saveCheckpoint } from './checkpoint';
