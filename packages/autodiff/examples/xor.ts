import {
  AdamW,
  compileTrainingStep,
  Graph,
  gemm,
  normal,
  ParameterStore,
  softmaxCrossEntropy,
  tanh,
  zeros,
} from '@diffchat/autodiff';

/** Trains a 2-8-2 MLP on XOR; returns the loss every 100 steps and the class it then predicts for each input. */
export async function trainXor(steps = 300): Promise<{ losses: number[]; predictions: number[] }> {
  const store = new ParameterStore({ seed: 1 });
  store.add('w1', [2, 8], normal({ std: 1 }));
  store.add('b1', [8], zeros);
  store.add('w2', [8, 2], normal({ std: 1 }));
  store.add('b2', [2], zeros);

  const graph = new Graph('xor');
  const x = graph.input('x', 'float32', ['batch', 2]); // named dimension, bound by the feeds
  const labels = graph.input('labels', 'int64', ['batch']);
  const hidden = tanh(gemm(x, graph.parameter('w1', [2, 8]), graph.parameter('b1', [8])));
  const logits = gemm(hidden, graph.parameter('w2', [8, 2]), graph.parameter('b2', [2]));
  const step = await compileTrainingStep(softmaxCrossEntropy(logits, labels), store, { metrics: { logits } });

  const optimizer = new AdamW({ weightDecay: 0 });
  const feeds = { x: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), labels: new BigInt64Array([0n, 1n, 1n, 0n]) };
  const losses: number[] = [];
  let predictions: number[] = [];
  for (let iteration = 0; iteration <= steps; iteration++) {
    const { loss, gradients, metrics } = await step.run(feeds); // forward + backward: one ONNX Runtime run
    if (iteration % 100 === 0) losses.push(loss);
    const scores = metrics.logits!.data as Float32Array; // [4, 2]: logits before this step's update
    predictions = [0, 1, 2, 3].map((row) => (scores[2 * row + 1]! > scores[2 * row]! ? 1 : 0));
    if (iteration < steps) optimizer.step(store, gradients, 0.05);
  }
  return { losses, predictions };
}
