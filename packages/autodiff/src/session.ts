import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bytesPerElement, type DataType, dataTypeOf, runtimeTypeName, type TensorData } from './data-type';
import type { Graph, SymbolicTensor } from './graph';
import { type SerializedModel, toOnnxModel } from './serialize';
import { formatShape } from './shape';

/** The execution providers a graph can be compiled for. */
export const executionProviders = ['cpu', 'cuda'] as const;

/** One of {@link executionProviders}. */
export type ExecutionProvider = (typeof executionProviders)[number];

/** Where and how a compiled graph runs. */
export interface CompileOptions {
  /** `'cpu'` (default) or `'cuda'` (needs the CUDA build of onnxruntime-node). */
  executionProvider?: ExecutionProvider;
  /** Threads inside one operator; ONNX Runtime picks (one per physical core) when omitted. */
  intraOpNumThreads?: number;
  /**
   * Whether idle intra-op threads spin waiting for work (ONNX Runtime's default, true): fastest on a machine of
   * one's own; false gives the cores back at once, which is faster when other processes compete for them.
   */
  allowSpinning?: boolean;
  /** Threads across independent operators. */
  interOpNumThreads?: number;
  /** ONNX Runtime graph optimisations; `'all'` by default so it fuses Gemm, FusedMatMul, SkipLayerNormalization. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Where ONNX Runtime writes the graph as it runs it, after its fusions (Gemm, FusedMatMul,
   * SkipLayerNormalization...), to check what a graph becomes.
   */
  optimizedModelFilePath?: string;
  /** Record ONNX Runtime's per-node profile; read it with {@link CompiledGraph.endProfiling}. */
  enableProfiling?: boolean;
  /** Prefix (path) of the profile file. */
  profileFilePrefix?: string;
}

/** A fed value: a typed array (its shape taken from the input's declared shape), or data with an explicit shape. */
export type Feed = TensorData | { readonly data: TensorData; readonly shape: readonly number[] };

/** A computed value. */
export interface OutputValue {
  readonly data: TensorData;
  readonly shape: readonly number[];
}

/** Options of one {@link CompiledGraph.run}. */
export interface RunOptions {
  /** Sizes of named dimensions that the feeds alone do not settle. */
  dims?: Readonly<Record<string, number>>;
  /** Outputs to compute; all by default. */
  outputs?: readonly string[];
  /**
   * Arrays to write outputs into instead of allocating new ones (markedly cheaper for large gradients); each must
   * have the output's type and exact size. Returned values then share these arrays.
   */
  into?: Readonly<Record<string, OutputValue>>;
}

/** An error from running a graph, naming the graph and the feeds involved. */
export class GraphRunError extends Error {
  override name = 'GraphRunError';
}

function feedData(feed: Feed): TensorData {
  return ArrayBuffer.isView(feed) ? (feed as TensorData) : (feed as { data: TensorData }).data;
}

/**
 * A graph compiled to an ONNX Runtime session. Create with {@link compileGraph}, which caches one per graph
 * and options. Feeds are checked against the declared inputs before they reach ONNX Runtime, and errors
 * name the graph and the input.
 */
export class CompiledGraph {
  private constructor(
    readonly graph: Graph,
    private readonly session: ort.InferenceSession,
    private readonly declaredInputs: ReadonlyMap<string, SymbolicTensor>,
    private readonly declaredOutputs: ReadonlyMap<string, SymbolicTensor>,
  ) {}

  /** Compiles without caching; prefer {@link compileGraph}. */
  static async create(graph: Graph, options: CompileOptions = {}): Promise<CompiledGraph> {
    const provider = options.executionProvider ?? 'cpu';
    if (!(executionProviders as readonly string[]).includes(provider)) {
      throw new GraphRunError(
        `graph ${graph.name}: executionProvider must be one of ${executionProviders.join(', ')}, got ${String(provider)}`,
      );
    }
    for (const key of ['intraOpNumThreads', 'interOpNumThreads'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new GraphRunError(
          `graph ${graph.name}: ${key} must be an integer >= 0 (0: ONNX Runtime's choice), got ${value}`,
        );
      }
    }
    const serialized = toOnnxModel(graph);
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    };
    if (options.intraOpNumThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
    if (options.interOpNumThreads !== undefined) sessionOptions.interOpNumThreads = options.interOpNumThreads;
    if (options.allowSpinning !== undefined) {
      const spinning = options.allowSpinning ? '1' : '0';
      sessionOptions.extra = {
        session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } },
      };
    }
    if (options.optimizedModelFilePath !== undefined) {
      sessionOptions.optimizedModelFilePath = options.optimizedModelFilePath;
    }
    if (options.enableProfiling) sessionOptions.enableProfiling = true;
    if (options.profileFilePrefix !== undefined) sessionOptions.profileFilePrefix = options.profileFilePrefix;
    let session: ort.InferenceSession;
    try {
      session = await createSessionFromModel(serialized, sessionOptions);
    } catch (error) {
      const message = (error as Error).message;
      if (provider === 'cuda' && /cuda|providers_shared|shared librar/i.test(message)) {
        throw new GraphRunError(
          `graph ${graph.name}: executionProvider 'cuda' needs the CUDA build of onnxruntime-node, which is not ` +
            'installed here (reinstall onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12, on a machine with ' +
            `CUDA 12 and an NVIDIA GPU): ${message}`,
          { cause: error },
        );
      }
      throw new GraphRunError(`graph ${graph.name}: ONNX Runtime could not load it: ${message}`, { cause: error });
    }
    return new CompiledGraph(graph, session, new Map(graph.inputs), new Map(graph.outputs));
  }

  /** Names of the outputs, in declaration order. */
  get outputNames(): string[] {
    return [...this.declaredOutputs.keys()];
  }

  /** Resolves every feed's shape, binding named dimensions, and checks types and sizes. */
  resolveShapes(
    feeds: Readonly<Record<string, Feed>>,
    dims: Readonly<Record<string, number>> = {},
  ): Map<string, number[]> {
    const bound = new Map<string, number>(Object.entries(dims));
    const shapes = new Map<string, number[]>();
    const fail = (input: SymbolicTensor, problem: string, shape?: readonly number[]) =>
      new GraphRunError(
        `graph ${this.graph.name}: input ${input.name} (declared ${input.dataType}${formatShape(input.shape)}` +
          `${shape ? `, fed ${formatShape(shape)}` : ''}): ${problem}`,
      );
    const bind = (input: SymbolicTensor, shape: readonly number[]) => {
      if (shape.length !== input.rank) throw fail(input, `rank ${shape.length} instead of ${input.rank}`, shape);
      input.shape.forEach((dim, index) => {
        const size = shape[index]!;
        if (typeof dim === 'number') {
          if (dim !== size) throw fail(input, `dimension ${index} is ${size}, expected ${dim}`, shape);
        } else {
          const known = bound.get(dim);
          if (known !== undefined && known !== size) {
            throw fail(input, `dimension ${index} (${dim}) is ${size} but ${dim} is ${known} elsewhere`, shape);
          }
          bound.set(dim, size);
        }
      });
      shapes.set(input.name, [...shape]);
    };
    for (const name of Object.keys(feeds)) {
      if (!this.declaredInputs.has(name)) {
        throw new GraphRunError(
          `graph ${this.graph.name}: ${name} is not an input (inputs: ${[...this.declaredInputs.keys()].join(', ')})`,
        );
      }
    }
    const implicit: SymbolicTensor[] = [];
    for (const input of this.declaredInputs.values()) {
      const feed = feeds[input.name];
      if (feed === undefined) throw fail(input, 'not fed');
      const data = feedData(feed);
      if (dataTypeOf(data) !== input.dataType) throw fail(input, `fed ${dataTypeOf(data)} data`);
      if (ArrayBuffer.isView(feed)) implicit.push(input);
      else bind(input, (feed as { shape: readonly number[] }).shape);
    }
    for (const input of implicit) {
      const length = feedData(feeds[input.name]!).length;
      const unknown = input.shape.filter((dim) => typeof dim === 'string' && !bound.has(dim));
      const knownProduct = input.shape.reduce<number>(
        (product, dim) => product * (typeof dim === 'number' ? dim : (bound.get(dim) ?? 1)),
        1,
      );
      if (new Set(unknown).size > 1) {
        throw fail(input, `named dimensions ${unknown.join(', ')} are unknown; feed {data, shape} or pass dims`);
      }
      if (unknown.length === 1) {
        if (length % knownProduct !== 0) throw fail(input, `${length} values do not fill it`);
        bound.set(unknown[0] as string, length / knownProduct);
      }
      bind(
        input,
        input.shape.map((dim) => (typeof dim === 'number' ? dim : bound.get(dim)!)),
      );
    }
    for (const [name, shape] of shapes) {
      const length = feedData(feeds[name]!).length;
      const expected = shape.reduce((a, b) => a * b, 1);
      if (length !== expected || !Number.isInteger(expected)) {
        throw fail(this.declaredInputs.get(name)!, `${length} values do not fill it (${expected})`, shape);
      }
    }
    return shapes;
  }

  /** Runs the graph once: feeds in, the requested outputs out. */
  async run(feeds: Readonly<Record<string, Feed>>, options: RunOptions = {}): Promise<Record<string, OutputValue>> {
    const shapes = this.resolveShapes(feeds, options.dims);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, shape] of shapes) {
      const data = feedData(feeds[name]!);
      ortFeeds[name] = new ort.Tensor(runtimeTypeName[dataTypeOf(data)], data, shape);
    }
    const names = options.outputs ?? this.outputNames;
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const name of names) {
      const declared = this.declaredOutputs.get(name);
      if (!declared) throw new GraphRunError(`graph ${this.graph.name}: ${name} is not an output`);
      const target = options.into?.[name];
      if (target) {
        checkTarget(this.graph.name, name, declared.dataType, target);
        fetches[name] = new ort.Tensor(runtimeTypeName[declared.dataType], target.data, target.shape);
      } else {
        fetches[name] = null;
      }
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds, fetches);
    } catch (error) {
      const message = (error as Error).message;
      const mentioned = [...shapes.keys()].filter((name) => message.includes(name));
      const described = (mentioned.length > 0 ? mentioned : [...shapes.keys()])
        .map((name) => `${name} ${formatShape(shapes.get(name)!)}`)
        .join(', ');
      throw new GraphRunError(`graph ${this.graph.name}: ${message} (inputs: ${described})`, { cause: error });
    }
    const outputs: Record<string, OutputValue> = {};
    for (const name of names) {
      const tensor = results[name]!;
      const target = options.into?.[name];
      outputs[name] = target ?? { data: tensor.data as TensorData, shape: tensor.dims.map(Number) };
    }
    return outputs;
  }

  /** Stops profiling and returns the path of ONNX Runtime's profile (JSON trace events). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function checkTarget(graphName: string, name: string, dataType: DataType, target: OutputValue): void {
  const expected = target.shape.reduce((a, b) => a * b, 1);
  if (dataTypeOf(target.data) !== dataType || target.data.length !== expected) {
    throw new GraphRunError(
      `graph ${graphName}: preallocated output ${name} must be ${dataType} with ${expected} values ` +
        `(${bytesPerElement[dataType] * expected} bytes), got ${dataTypeOf(target.data)} with ${target.data.length}`,
    );
  }
}

const cache = new WeakMap<Graph, Map<string, Promise<CompiledGraph>>>();

/**
 * Opens an ONNX Runtime session on a model serialised by {@link toOnnxModel}. ONNX Runtime reads external data
 * relative to the model file, so a model with external data is first written with its data file to a scratch folder,
 * which is removed once the session has read both.
 */
export async function createSessionFromModel(
  serialized: SerializedModel,
  sessionOptions: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  if (!serialized.externalData) return ort.InferenceSession.create(serialized.model, sessionOptions);
  const folder = await mkdtemp(join(tmpdir(), 'autodiff-'));
  try {
    await writeFile(join(folder, 'model.onnx'), serialized.model);
    await writeFile(join(folder, serialized.externalData.location), serialized.externalData.bytes);
    return await ort.InferenceSession.create(join(folder, 'model.onnx'), sessionOptions);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Compiles a graph once and caches the session per graph, graph size and options: calling again with the same
 * graph returns the same session. A graph changed afterwards (new nodes or outputs) is compiled anew.
 */
export function compileGraph(graph: Graph, options: CompileOptions = {}): Promise<CompiledGraph> {
  let sessions = cache.get(graph);
  if (!sessions) {
    sessions = new Map();
    cache.set(graph, sessions);
  }
  const key = JSON.stringify([graph.nodes.length, [...graph.outputs.keys()], graph.inputs.size, options]);
  let compiled = sessions.get(key);
  if (!compiled) {
    compiled = CompiledGraph.create(graph, options);
    sessions.set(key, compiled);
    compiled.catch(() => sessions.delete(key));
  }
  return compiled;
}
