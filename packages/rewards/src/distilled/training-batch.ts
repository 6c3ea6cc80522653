import type { ScalarHeadTraining } from './causal-lm-regressor';

/**
 * Draws one training batch of a scalar head: `perStep` examples uniformly with replacement from `random`. Regression
 * copies example i's text into row `slot` and its target into `targets[slot]`; Bradley-Terry copies a pair's chosen
 * text into row 2 slot and its rejected text into row 2 slot + 1. `copyText(text, row)` writes a text's tokens into
 * a row of the caller's feeds, whose layout differs between the regressors.
 */
export function fillTrainingBatch(
  training: Pick<ScalarHeadTraining, 'texts' | 'targets' | 'pairs'>,
  random: () => number,
  perStep: number,
  copyText: (text: number, row: number) => void,
  targets: Float32Array | BigInt64Array | undefined,
): void {
  const examples = training.targets !== undefined ? training.texts.length : training.pairs!.length;
  for (let slot = 0; slot < perStep; slot++) {
    const example = Math.floor(random() * examples);
    if (training.targets !== undefined) {
      copyText(example, slot);
      (targets as Float32Array)[slot] = training.targets[example]!;
    } else {
      const [chosen, rejected] = training.pairs![example]!;
      copyText(chosen, 2 * slot);
      copyText(rejected, 2 * slot + 1);
    }
  }
}
