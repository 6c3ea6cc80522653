import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from './graph';
import { ModelProtoType } from './onnx-schema';
import { add, gather, gemm, matmul, relu } from './ops';
import { opsetVersion, saveOnnxModel, toOnnxModel } from './serialize';
import { compileGraph, createSessionFromModel, GraphRunError } from './session';

/** y = relu(x W + b) with W = [[1, -1], [2, 0]] and b = [0.5, 1] stored in the model. */
function affineGraph(): Graph {
  const graph = new Graph('affine');
  const x = graph.input('x', 'float32', ['batch', 2]);
  const weight = graph.initializer('weight', new Float32Array([1, -1, 2, 0]), [2, 2]);
  const bias = graph.initializer('bias', new Float32Array([0.5, 1]), [2]);
  graph.output('y', relu(gemm(x, weight, bias)));
  return graph;
}

// x = [[1, 1], [-3, 2]]: x W + b = [[3.5, 0], [1.5, 4]] -> relu keeps all.
const hand = { x: new Float32Array([1, 1, -3, 2]), y: [3.5, 0, 1.5, 4] };

describe('toOnnxModel', () => {
  it('writes a ModelProto that decodes to the declared graph and that ONNX Runtime runs', async () => {
    const { model } = toOnnxModel(affineGraph());
    const decoded = ModelProtoType.toObject(ModelProtoType.decode(model), { longs: Number }) as {
      opsetImport: { version: number }[];
      graph: { input: { name: string; type: { tensorType: { shape: { dim: object[] } } } }[]; node: object[] };
    };
    expect(decoded.opsetImport[0]!.version).toBe(opsetVersion);
    expect(decoded.graph.input[0]!.name).toBe('x');
    expect(decoded.graph.input[0]!.type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 2 }]);
    const session = await ort.InferenceSession.create(model);
    const result = await session.run({ x: new ort.Tensor('float32', hand.x, [2, 2]) });
    expect(Array.from(result.y!.data as Float32Array)).toEqual(hand.y);
  });

  it('moves large initializers to an external data file that loads beside the model', async () => {
    const graph = affineGraph();
    const serialized = toOnnxModel(graph, { externalDataThreshold: 8 });
    // weight (16 bytes) and bias (8 bytes) both go out, in order.
    expect(serialized.externalData?.bytes.byteLength).toBe(24);
    const directory = await mkdtemp(join(tmpdir(), 'autodiff-export-'));
    try {
      await saveOnnxModel(graph, join(directory, 'model.onnx'), { externalDataThreshold: 8 });
      expect((await readdir(directory)).sort()).toEqual(['model.onnx', 'model.onnx.data']);
      const session = await ort.InferenceSession.create(join(directory, 'model.onnx'));
      const result = await session.run({ x: new ort.Tensor('float32', hand.x, [2, 2]) });
      expect(Array.from(result.y!.data as Float32Array)).toEqual(hand.y);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('opens a session on a serialised model, with or without external data', async () => {
    for (const threshold of [Number.POSITIVE_INFINITY, 8]) {
      const serialized = toOnnxModel(affineGraph(), { externalDataThreshold: threshold });
      expect(serialized.externalData === undefined).toBe(threshold === Number.POSITIVE_INFINITY);
      const session = await createSessionFromModel(serialized);
      const result = await session.run({ x: new ort.Tensor('float32', hand.x, [2, 2]) });
      expect(Array.from(result.y!.data as Float32Array)).toEqual(hand.y);
      await session.release();
    }
  });
});

describe('compileGraph', () => {
  it('caches one session per graph and binds named dimensions from the feeds', async () => {
    const graph = affineGraph();
    const first = await compileGraph(graph);
    expect(await compileGraph(graph)).toBe(first);
    const outputs = await first.run({ x: hand.x });
    expect(outputs.y!.shape).toEqual([2, 2]);
    expect(Array.from(outputs.y!.data as Float32Array)).toEqual(hand.y);
  });

  it('writes outputs into preallocated arrays', async () => {
    const compiled = await compileGraph(affineGraph());
    const target = new Float32Array(4);
    const outputs = await compiled.run({ x: hand.x }, { into: { y: { data: target, shape: [2, 2] } } });
    expect(Array.from(target)).toEqual(hand.y);
    expect(outputs.y!.data).toBe(target);
  });

  it('names the graph, the input and the shapes in its errors', async () => {
    const compiled = await compileGraph(affineGraph());
    await expect(compiled.run({ x: new Float32Array(3) })).rejects.toThrow(
      /graph affine: input x .*\[batch, 2\].*3 values do not fill it/,
    );
    await expect(compiled.run({ x: { data: new Float32Array(6), shape: [2, 3] } })).rejects.toThrow(
      /input x .*dimension 1 is 3, expected 2/,
    );
    await expect(compiled.run({ x: hand.x, z: hand.x })).rejects.toThrow(/z is not an input/);
    await expect(compiled.run({ x: new Float64Array(4) })).rejects.toThrow(/input x .*fed float64 data/);

    const graph = new Graph('lookup');
    const table = graph.initializer('table', new Float32Array([1, 2, 3]), [3, 1]);
    const indices = graph.input('indices', 'int64', ['n']);
    graph.output('rows', gather(table, indices));
    const lookup = await compileGraph(graph);
    const failure = lookup.run({ indices: new BigInt64Array([7n]) });
    await expect(failure).rejects.toBeInstanceOf(GraphRunError);
    await expect(failure).rejects.toThrow(/graph lookup: .*indices \[1\]/);
  });

  it('runs with one thread and spinning off, with the same values', async () => {
    const compiled = await compileGraph(affineGraph(), { intraOpNumThreads: 1, allowSpinning: false });
    expect(Array.from((await compiled.run({ x: hand.x })).y!.data as Float32Array)).toEqual(hand.y);
  });

  it('refuses unknown execution providers and thread counts, naming the option', async () => {
    const graph = affineGraph();
    const provider = 'tpu' as unknown as 'cpu';
    await expect(compileGraph(graph, { executionProvider: provider })).rejects.toThrow(
      /graph affine: executionProvider must be one of cpu, cuda, got tpu/,
    );
    await expect(compileGraph(graph, { intraOpNumThreads: -1 })).rejects.toThrow(
      /intraOpNumThreads must be an integer/,
    );
    await expect(compileGraph(graph, { interOpNumThreads: 1.5 })).rejects.toThrow(/interOpNumThreads must be/);
  });

  it('says how to install the CUDA build when CUDA is asked for and missing', async () => {
    const outcome = await compileGraph(affineGraph(), { executionProvider: 'cuda' }).then(
      (compiled) => compiled,
      (error: unknown) => error,
    );
    if (outcome instanceof GraphRunError) {
      expect(outcome.message).toMatch(
        /graph affine: executionProvider 'cuda' needs the CUDA build of onnxruntime-node/,
      );
      expect(outcome.message).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    } else {
      // A machine with the CUDA build installed: the graph must then run there.
      const compiled = outcome as Awaited<ReturnType<typeof compileGraph>>;
      expect(Array.from((await compiled.run({ x: hand.x })).y!.data as Float32Array)).toEqual(hand.y);
    }
  });

  it('writes the graph as ONNX Runtime optimised it, with MatMul and Add fused into Gemm', async () => {
    const graph = new Graph('fusable');
    const x = graph.input('x', 'float32', [2, 2]);
    const weight = graph.initializer('weight', new Float32Array([1, -1, 2, 0]), [2, 2]);
    graph.output('y', add(matmul(x, weight), graph.initializer('bias', new Float32Array([0.5, 1]), [2])));
    const directory = await mkdtemp(join(tmpdir(), 'autodiff-optimised-'));
    try {
      const path = join(directory, 'optimised.onnx');
      const compiled = await compileGraph(graph, { optimizedModelFilePath: path });
      // x W + b with x = [[1, 1], [-3, 2]]: [[3.5, 0], [1.5, 4]].
      expect(Array.from((await compiled.run({ x: hand.x })).y!.data as Float32Array)).toEqual(hand.y);
      const decoded = ModelProtoType.toObject(ModelProtoType.decode(await readFile(path))) as {
        graph: { node: { opType: string }[] };
      };
      expect(decoded.graph.node.map((node) => node.opType)).toEqual(['Gemm']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
