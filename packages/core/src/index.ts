// @chainrule/core: the public surface. Only what is re-exported here is public.
export { toDot } from './dot';
export { type GraphNode, runBackward, topoSort } from './engine';
export { ChainruleError } from './errors';
export { Rng } from './rng';
export { Value, type ValueLike } from './value';
