import { isFloatType } from './data-type';
import { gradientRules, missingRuleMessage, sparseGradient } from './gradients';
import type { GraphNode, SymbolicTensor } from './graph';
import { add, constantOfShape, scatterElements, scatterND, shapeOf } from './ops';

/**
 * Reverse-mode differentiation: appends to the loss's graph the nodes that compute d`loss`/d`wrt[i]` and
 * returns those gradients in the order of `wrt`. Only nodes on a path from some `wrt` to the loss are
 * differentiated; integer and boolean values and {@link stopGradient} carry no gradient; a `wrt` that does
 * not reach the loss gets zeros. `loss` must hold one element unless `outputGradient` (its cotangent, same
 * shape) is given.
 */
export function grad(
  loss: SymbolicTensor,
  wrt: readonly SymbolicTensor[],
  outputGradient?: SymbolicTensor,
): SymbolicTensor[] {
  const graph = loss.graph;
  if (!isFloatType(loss.dataType)) throw new TypeError(`grad: the loss ${loss.describe()} is not a float tensor`);
  for (const tensor of wrt) {
    if (tensor.graph !== graph) throw new Error(`grad: ${tensor.describe()} belongs to another graph`);
    if (!isFloatType(tensor.dataType))
      throw new TypeError(`grad: cannot differentiate with respect to ${tensor.describe()}`);
  }
  let cotangent = outputGradient;
  if (!cotangent) {
    if (!loss.shape.every((dim) => dim === 1)) {
      throw new RangeError(`grad: the loss ${loss.describe()} has more than one element; pass its output gradient`);
    }
    cotangent = graph.constant([1], loss.dataType, loss.shape as number[]);
  }

  const forwardNodes = graph.nodes.slice();
  // Values that depend on some wrt through float paths.
  const dependsOnWrt = new Set<SymbolicTensor>(wrt);
  for (const node of forwardNodes) {
    if (node.op === 'StopGradient') continue;
    if (node.inputs.some((value) => value && dependsOnWrt.has(value))) {
      for (const value of node.outputs) if (isFloatType(value.dataType)) dependsOnWrt.add(value);
    }
  }
  // Values the loss depends on.
  const feedsLoss = new Set<SymbolicTensor>([loss]);
  for (let index = forwardNodes.length - 1; index >= 0; index--) {
    const node = forwardNodes[index]!;
    if (node.outputs.some((value) => feedsLoss.has(value))) {
      for (const value of node.inputs) if (value) feedsLoss.add(value);
    }
  }

  const gradients = new Map<SymbolicTensor, SymbolicTensor>([[loss, cotangent]]);
  const accumulate = (value: SymbolicTensor, gradient: SymbolicTensor) => {
    const previous = gradients.get(value);
    gradients.set(value, previous ? sumGradients(previous, gradient) : gradient);
  };
  for (let index = forwardNodes.length - 1; index >= 0; index--) {
    const node: GraphNode = forwardNodes[index]!;
    const active = node.outputs.some((value) => dependsOnWrt.has(value) && feedsLoss.has(value));
    if (!active) continue;
    const outputGradients = node.outputs.map((value) => gradients.get(value) ?? null);
    if (outputGradients.every((gradient) => gradient === null)) continue;
    const rule = gradientRules[node.op];
    if (!rule) throw new Error(`grad: ${missingRuleMessage(node)}`);
    const inputGradients = rule(node, outputGradients);
    node.inputs.forEach((value, position) => {
      const gradient = inputGradients[position];
      if (value && gradient && dependsOnWrt.has(value)) accumulate(value, gradient);
    });
  }
  return wrt.map(
    (tensor) => gradients.get(tensor) ?? constantOfShape(shapeOf(tensor), tensor.shape, 0, tensor.dataType),
  );
}

/**
 * Adds two gradients of one value. A sparse gradient meeting a dense one is scattered straight onto it, so the
 * zeros it was scattered into and the Add (two full passes over, say, a [tokens, vocabulary] logits gradient) are
 * never computed.
 */
function sumGradients(previous: SymbolicTensor, gradient: SymbolicTensor): SymbolicTensor {
  const sameShape =
    previous.shape.length === gradient.shape.length &&
    previous.shape.every((dim, index) => dim === gradient.shape[index]);
  const sparse = sparseGradient(gradient) ?? sparseGradient(previous);
  if (!sparse || !sameShape) return add(previous, gradient);
  const dense = sparse.outputs[0] === gradient ? previous : gradient;
  const [, indices, updates] = sparse.inputs as SymbolicTensor[];
  if (sparse.op === 'ScatterND') return scatterND(dense, indices!, updates!, 'add');
  const axis = sparse.attributes.axis;
  return scatterElements(dense, indices!, updates!, axis?.type === 'int' ? axis.value : 0, 'add');
}

/** Options of {@link trainingGraph}. */
export interface TrainingGraphOptions {
  /** Values to differentiate with respect to; defaults to every declared parameter. */
  parameters?: readonly SymbolicTensor[];
  /** Extra named outputs computed in the same run (accuracy, token counts). */
  metrics?: Readonly<Record<string, SymbolicTensor>>;
  /** Output name of the loss; `'loss'` by default. */
  lossName?: string;
  /** Prefix of each gradient output's name, followed by the parameter's name; `'grad.'` by default. */
  gradientPrefix?: string;
}

/**
 * Turns a forward graph into a training graph: one model whose outputs are the loss, the metrics and the
 * gradient of every parameter, so a training step is one run. Returns the gradient output names by parameter.
 */
export function trainingGraph(loss: SymbolicTensor, options: TrainingGraphOptions = {}): Map<string, string> {
  const graph = loss.graph;
  const parameters = options.parameters ?? graph.parameters();
  const prefix = options.gradientPrefix ?? 'grad.';
  graph.output(options.lossName ?? 'loss', loss);
  for (const [name, metric] of Object.entries(options.metrics ?? {})) graph.output(name, metric);
  const gradients = grad(loss, parameters);
  const names = new Map<string, string>();
  parameters.forEach((parameter, index) => {
    const name = `${prefix}${parameter.name}`;
    graph.output(name, gradients[index]!);
    names.set(parameter.name, name);
  });
  return names;
}
