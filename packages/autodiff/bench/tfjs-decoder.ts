import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TensorFlow from '@tensorflow/tfjs-core';
import type { ReferenceDecoderConfig } from '../src/reference-decoder';
import { referenceDecoderParameterShapes } from '../src/reference-decoder';
import type { ParameterStore } from '../src/training/index';

// The CommonJS builds are loaded so that the gradient registrations and the backend share one engine.
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core') as typeof TensorFlow;
require('@tensorflow/tfjs-core/dist/register_all_gradients');
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (prefix: string) => void };

/** Starts TensorFlow.js on its WASM backend, loading the .wasm files from the installed package. */
export async function startTfjsWasm(): Promise<void> {
  const packageDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(`${join(packageDirectory, 'dist')}/`);
  await tf.setBackend('wasm');
  await tf.ready();
}

function layerNorm(x: TensorFlow.Tensor2D, scale: TensorFlow.Tensor, bias: TensorFlow.Tensor): TensorFlow.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), scale), bias) as TensorFlow.Tensor2D;
}

function gelu(x: TensorFlow.Tensor): TensorFlow.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * The reference decoder's forward and backward written with TensorFlow.js ops (same parameters, same
 * loss), for the speed comparison. Returns a function that computes the loss and every gradient once.
 */
export function tfjsDecoderStep(
  config: ReferenceDecoderConfig,
  store: ParameterStore,
  batch: number,
  sequence: number,
  tokens: BigInt64Array,
  targets: BigInt64Array,
): () => Promise<number> {
  const variables = new Map<string, TensorFlow.Variable>();
  for (const [name, shape] of referenceDecoderParameterShapes(config)) {
    variables.set(name, tf.variable(tf.tensor(store.get(name).data, shape), true, name));
  }
  const v = (name: string) => variables.get(name)!;
  const width = config.modelWidth;
  const headSize = width / config.heads;
  const rows = batch * sequence;
  if (sequence !== config.context) throw new RangeError('the TensorFlow.js step assumes sequence = context');
  const tokenOneHot = tf.cast(
    tf.oneHot(tf.tensor1d(Int32Array.from(tokens, Number), 'int32'), config.vocabulary),
    'float32',
  ) as TensorFlow.Tensor2D;
  const targetTensor = tf.oneHot(tf.tensor1d(Int32Array.from(targets, Number), 'int32'), config.vocabulary);
  const maskValues = new Float32Array(sequence * sequence);
  for (let query = 0; query < sequence; query++) {
    for (let key = query + 1; key < sequence; key++) maskValues[query * sequence + key] = -1e9;
  }
  const causal = tf.tensor2d(maskValues, [sequence, sequence]);

  const loss = (): TensorFlow.Scalar => {
    // The WASM backend has no kernel for Gather's gradient (UnsortedSegmentSum), so the token lookup is a
    // one-hot product, which adds about 13 GFLOP to the step.
    const embedded = tf.matMul(tokenOneHot, v('wte') as TensorFlow.Tensor2D);
    let x = tf.reshape(tf.add(tf.reshape(embedded, [batch, sequence, width]), v('wpe')), [
      rows,
      width,
    ]) as TensorFlow.Tensor2D;
    for (let layer = 0; layer < config.layers; layer++) {
      const prefix = `h.${layer}.`;
      const normed = layerNorm(x, v(`${prefix}ln_1.weight`), v(`${prefix}ln_1.bias`));
      const qkv = tf.add(
        tf.matMul(normed, v(`${prefix}attn.c_attn.weight`) as TensorFlow.Tensor2D),
        v(`${prefix}attn.c_attn.bias`),
      );
      const heads = tf.transpose(tf.reshape(qkv, [batch, sequence, 3, config.heads, headSize]), [2, 0, 3, 1, 4]);
      const [query, key, value] = tf
        .split(heads, 3, 0)
        .map((part) => tf.reshape(part, [batch, config.heads, sequence, headSize]));
      const scores = tf.add(tf.mul(tf.matMul(query!, key!, false, true), 1 / Math.sqrt(headSize)), causal);
      const attended = tf.matMul(tf.softmax(scores), value!);
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [rows, width]) as TensorFlow.Tensor2D;
      x = tf.add(
        x,
        tf.add(
          tf.matMul(merged, v(`${prefix}attn.c_proj.weight`) as TensorFlow.Tensor2D),
          v(`${prefix}attn.c_proj.bias`),
        ),
      );
      const normed2 = layerNorm(x, v(`${prefix}ln_2.weight`), v(`${prefix}ln_2.bias`));
      const hidden = gelu(
        tf.add(tf.matMul(normed2, v(`${prefix}mlp.c_fc.weight`) as TensorFlow.Tensor2D), v(`${prefix}mlp.c_fc.bias`)),
      );
      x = tf.add(
        x,
        tf.add(
          tf.matMul(hidden as TensorFlow.Tensor2D, v(`${prefix}mlp.c_proj.weight`) as TensorFlow.Tensor2D),
          v(`${prefix}mlp.c_proj.bias`),
        ),
      );
    }
    const final = layerNorm(x, v('ln_f.weight'), v('ln_f.bias'));
    const logits = tf.matMul(final, v('wte') as TensorFlow.Tensor2D, false, true);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), targetTensor), -1))) as TensorFlow.Scalar;
  };

  return async () => {
    const { value, grads } = tf.variableGrads(loss);
    const result = (await value.data())[0]!;
    await Promise.all(Object.values(grads).map((gradient) => gradient.data()));
    value.dispose();
    tf.dispose(Object.values(grads));
    return result;
  };
}
