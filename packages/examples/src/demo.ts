// The README's demo: train a small network and print what happened.
import { trainValueMlp } from './value-mlp';

console.log('chainrule demo: a 2-16-16-1 MLP of scalar Values learns two moons (100 points)\n');
const t0 = performance.now();
const { losses, accuracy } = trainValueMlp(100, console.log);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `\nloss ${losses[0]?.toFixed(4)} -> ${losses[losses.length - 1]?.toFixed(4)}, ` +
    `training accuracy ${(accuracy * 100).toFixed(0)}% in ${seconds.toFixed(1)} s`,
);
