// @chainrule/examples: runnable programs; their building blocks are exported for tests.
export { makeMoons, type Points } from './moons';
export { trainValueMlp, ValueMLP } from './value-mlp';
