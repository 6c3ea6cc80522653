import { allocate, type DataType, dataTypeOf, type TensorData } from './data-type';
import { type Dim, elementCount, formatShape, type Shape } from './shape';

/**
 * The primitive operations a graph is made of. Each is one ONNX operator (`StopGradient` is written as
 * `Identity`); every composite (cross-entropy, attention, dropout, masks) is built from these, and each
 * differentiable one has one row in the gradient table.
 */
export const primitiveOps = [
  'MatMul',
  'Gemm',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Pow',
  'Tanh',
  'Gelu',
  'Relu',
  'Sigmoid',
  'Softmax',
  'LogSoftmax',
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceLogSumExp',
  'Transpose',
  'Reshape',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Split',
  'Slice',
  'Pad',
  'Gather',
  'GatherElements',
  'Where',
  'Clip',
  'Min',
  'Max',
  'LayerNormalization',
  'Expand',
  'Cast',
  'Identity',
  'StopGradient',
  'ScatterND',
  'ScatterElements',
  'Shape',
  'ConstantOfShape',
  'Range',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Mod',
  'ReduceProd',
  'CumSum',
] as const;

/** One of {@link primitiveOps}. */
export type PrimitiveOp = (typeof primitiveOps)[number];

/** A typed ONNX node attribute. */
export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; dataType: DataType; value: readonly number[] };

/** One operation in a graph: its inputs (null for an omitted optional input), attributes and outputs. */
export interface GraphNode {
  readonly id: number;
  readonly op: PrimitiveOp;
  readonly inputs: readonly (SymbolicTensor | null)[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly outputs: readonly SymbolicTensor[];
}

/** What a tensor is: a fed input, a trainable parameter (fed, differentiated), a stored initializer, or a node output. */
export type TensorKind = 'input' | 'parameter' | 'initializer' | 'node';

/**
 * A value in a graph, known by its data type and shape only; its numbers exist when the graph runs.
 */
export class SymbolicTensor {
  /** @internal */
  constructor(
    /** The graph this tensor belongs to. */
    readonly graph: Graph,
    /** The ONNX value name. */
    readonly name: string,
    /** Element type. */
    readonly dataType: DataType,
    /** Dimensions, named where they are bound at run time. */
    readonly shape: Shape,
    /** How the value comes into being. */
    readonly kind: TensorKind,
    /** The node that computes it, for node outputs. */
    readonly producer: GraphNode | null = null,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** `name: float32[batch, 4]`, for error messages. */
  describe(): string {
    return `${this.name}: ${this.dataType}${formatShape(this.shape)}`;
  }
}

/** Data stored in the model for an initializer. */
export interface InitializerEntry {
  readonly tensor: SymbolicTensor;
  readonly data: TensorData;
}

/** The data type and shape of one output a node is about to create. */
export interface OutputSpec {
  readonly dataType: DataType;
  readonly shape: Shape;
}

/**
 * A computation under construction: named inputs and parameters, initializers (frozen weights stored in the
 * model), nodes of {@link PrimitiveOp}s, and named outputs. Serialise it with `toOnnxModel`, run it with
 * `compileGraph`, differentiate it with `grad`.
 */
export class Graph {
  /** Nodes in creation order, which is a topological order. */
  readonly nodes: GraphNode[] = [];
  /** Fed values (data inputs and parameters), in declaration order. */
  readonly inputs = new Map<string, SymbolicTensor>();
  /** Values stored in the model. */
  readonly initializers = new Map<string, InitializerEntry>();
  /** Named outputs, in declaration order. */
  readonly outputs = new Map<string, SymbolicTensor>();
  private readonly usedNames = new Set<string>();
  private readonly constantCache = new Map<string, SymbolicTensor>();
  private nextId = 0;

  /** @param name Used as the ONNX graph name and in every error from running it. */
  constructor(readonly name = 'graph') {}

  /** Declares a fed data input; named dimensions (`'batch'`) are bound by the feeds at run time. */
  input(name: string, dataType: DataType, shape: readonly Dim[]): SymbolicTensor {
    return this.declareInput(name, dataType, shape, 'input');
  }

  /** Declares a trainable parameter: a fed float input whose gradient `trainingGraph` returns. */
  parameter(name: string, shape: readonly number[], dataType: DataType = 'float32'): SymbolicTensor {
    return this.declareInput(name, dataType, shape, 'parameter');
  }

  /** The declared trainable parameters, in declaration order. */
  parameters(): SymbolicTensor[] {
    return [...this.inputs.values()].filter((tensor) => tensor.kind === 'parameter');
  }

  /**
   * Stores a tensor in the model (a frozen weight, a lookup table). Large ones can be written as ONNX external
   * data when serialising.
   */
  initializer(name: string, data: TensorData, shape: readonly number[], dataType?: DataType): SymbolicTensor {
    this.claimName(name);
    return this.storeInitializer(name, data, shape, dataType ?? dataTypeOf(data));
  }

  private storeInitializer(name: string, data: TensorData, shape: readonly number[], type: DataType): SymbolicTensor {
    if (data.length !== elementCount(shape)) {
      throw new RangeError(
        `initializer ${name}: ${data.length} values do not fill shape ${formatShape(shape)} (${elementCount(shape)})`,
      );
    }
    const tensor = new SymbolicTensor(this, name, type, [...shape], 'initializer');
    this.initializers.set(name, { tensor, data });
    return tensor;
  }

  /** A small constant (axes, shapes, scalars); identical constants are shared. */
  constant(
    values: readonly number[] | number,
    dataType: DataType = 'float32',
    shape?: readonly number[],
  ): SymbolicTensor {
    const list = typeof values === 'number' ? [values] : values;
    const resolvedShape = shape ?? (typeof values === 'number' ? [] : [list.length]);
    const key = `${dataType}|${resolvedShape.join(',')}|${list.join(',')}`;
    const cached = this.constantCache.get(key);
    if (cached) return cached;
    const data = allocate(dataType, list.length);
    list.forEach((value, index) => {
      if (data instanceof BigInt64Array) data[index] = BigInt(value);
      else data[index] = value;
    });
    const tensor = this.storeInitializer(this.freshName('const'), data, resolvedShape, dataType);
    this.constantCache.set(key, tensor);
    return tensor;
  }

  /** Names a value as a graph output; every output is computed by one run. */
  output(name: string, tensor: SymbolicTensor): SymbolicTensor {
    this.assertOwned(tensor, `output ${name}`);
    if (this.outputs.has(name)) throw new Error(`graph ${this.name}: output ${name} is declared twice`);
    this.outputs.set(name, tensor);
    return tensor;
  }

  /** Appends one node; op functions call this after inferring the output types. */
  addNode(
    op: PrimitiveOp,
    inputs: readonly (SymbolicTensor | null)[],
    attributes: Record<string, AttributeValue>,
    outputs: readonly OutputSpec[],
  ): SymbolicTensor[] {
    for (const input of inputs) if (input) this.assertOwned(input, op);
    const id = this.nextId++;
    const created: SymbolicTensor[] = [];
    const node: GraphNode = { id, op, inputs, attributes, outputs: created };
    outputs.forEach((spec, index) => {
      created.push(
        new SymbolicTensor(this, this.freshName(`${op}_${id}_${index}`), spec.dataType, spec.shape, 'node', node),
      );
    });
    this.nodes.push(node);
    return created;
  }

  /** A name not yet used in this graph, starting with `prefix`. */
  freshName(prefix: string): string {
    let name = prefix;
    for (let suffix = 1; this.usedNames.has(name); suffix++) name = `${prefix}_${suffix}`;
    this.usedNames.add(name);
    return name;
  }

  private declareInput(name: string, dataType: DataType, shape: readonly Dim[], kind: TensorKind): SymbolicTensor {
    this.claimName(name);
    const tensor = new SymbolicTensor(this, name, dataType, [...shape], kind);
    this.inputs.set(name, tensor);
    return tensor;
  }

  private claimName(name: string): void {
    if (name.length === 0) throw new Error(`graph ${this.name}: empty value name`);
    if (this.usedNames.has(name)) throw new Error(`graph ${this.name}: the name ${name} is already used`);
    this.usedNames.add(name);
  }

  private assertOwned(tensor: SymbolicTensor, where: string): void {
    if (tensor.graph !== this) {
      throw new Error(`${where}: ${tensor.describe()} belongs to graph ${tensor.graph.name}, not ${this.name}`);
    }
  }
}
