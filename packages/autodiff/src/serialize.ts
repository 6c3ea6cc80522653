import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { allocate, type DataType, onnxDataTypeCode, type TensorData } from './data-type';
import type { AttributeValue, Graph, GraphNode, SymbolicTensor } from './graph';
import { ModelProtoType } from './onnx-schema';
import type { Shape } from './shape';

/** The ONNX opset the graphs are written against (Gelu needs 20). */
export const opsetVersion = 20;
/** The ONNX IR version matching {@link opsetVersion}. */
export const irVersion = 9;

/** Options of {@link toOnnxModel}. */
export interface SerializeOptions {
  /**
   * Initializers of at least this many bytes are written to a separate external-data file instead of the
   * model (ONNX's 2 GiB protobuf limit, faster loading); `Infinity` (the default) keeps everything inline.
   */
  externalDataThreshold?: number;
  /** File name of the external data, relative to the model file; `<graph name>.onnx.data` by default. */
  externalDataLocation?: string;
  /** `ModelProto.producer_name`. */
  producerName?: string;
  /** Key/value pairs stored as model metadata. */
  metadata?: Readonly<Record<string, string>>;
}

/** A serialised model: the ModelProto bytes and, when initializers went to external data, that file's bytes. */
export interface SerializedModel {
  readonly model: Uint8Array;
  readonly externalData?: { readonly location: string; readonly bytes: Uint8Array };
}

function tensorType(dataType: DataType, shape: Shape) {
  return {
    tensorType: {
      elemType: onnxDataTypeCode[dataType],
      shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
    },
  };
}

function attributeProto(name: string, attribute: AttributeValue) {
  switch (attribute.type) {
    case 'int':
      return { name, type: 2, i: attribute.value };
    case 'float':
      return { name, type: 1, f: attribute.value };
    case 'ints':
      return { name, type: 7, ints: [...attribute.value] };
    case 'floats':
      return { name, type: 6, floats: [...attribute.value] };
    case 'string':
      return { name, type: 3, s: new TextEncoder().encode(attribute.value) };
    case 'tensor': {
      const data = allocate(attribute.dataType, attribute.value.length);
      attribute.value.forEach((value, index) => {
        if (data instanceof BigInt64Array) data[index] = BigInt(value);
        else data[index] = value;
      });
      const bytes = rawBytes(data);
      return {
        name,
        type: 4,
        t: { dims: [attribute.value.length], dataType: onnxDataTypeCode[attribute.dataType], rawData: bytes },
      };
    }
  }
}

function rawBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The nodes the named outputs depend on, in graph order. */
export function reachableNodes(graph: Graph, roots: Iterable<SymbolicTensor>): GraphNode[] {
  const needed = new Set<GraphNode>();
  const stack = [...roots];
  while (stack.length > 0) {
    const producer = stack.pop()!.producer;
    if (!producer || needed.has(producer)) continue;
    needed.add(producer);
    for (const value of producer.inputs) if (value) stack.push(value);
  }
  return graph.nodes.filter((node) => needed.has(node));
}

/**
 * Serialises a graph to an ONNX ModelProto (opset {@link opsetVersion}). Nodes that no output needs are
 * left out; every declared input is kept so feeds stay valid.
 */
export function toOnnxModel(graph: Graph, options: SerializeOptions = {}): SerializedModel {
  if (graph.outputs.size === 0) throw new Error(`graph ${graph.name}: declare at least one output`);
  const nodes = reachableNodes(graph, graph.outputs.values());
  const consumed = new Set<SymbolicTensor>(graph.outputs.values());
  for (const node of nodes) for (const value of node.inputs) if (value) consumed.add(value);

  // A graph output takes over the name of the node output it reads; Identity covers inputs, constants and repeats.
  const renamed = new Map<SymbolicTensor, string>();
  const identities: { input: string; output: string }[] = [];
  for (const [name, tensor] of graph.outputs) {
    if (graph.inputs.has(name) || graph.initializers.has(name)) {
      throw new Error(`graph ${graph.name}: output ${name} has the name of an input or initializer`);
    }
    if (tensor.kind === 'node' && !renamed.has(tensor)) renamed.set(tensor, name);
    else identities.push({ input: tensor.name, output: name });
  }
  const valueName = (tensor: SymbolicTensor | null) => (tensor ? (renamed.get(tensor) ?? tensor.name) : '');

  const threshold = options.externalDataThreshold ?? Number.POSITIVE_INFINITY;
  const location = options.externalDataLocation ?? `${graph.name}.onnx.data`;
  const externalChunks: Uint8Array[] = [];
  let externalLength = 0;
  const initializers = [...graph.initializers.values()]
    .filter((entry) => consumed.has(entry.tensor))
    .map(({ tensor, data }) => {
      const bytes = rawBytes(data);
      const base = { name: tensor.name, dims: [...tensor.shape], dataType: onnxDataTypeCode[tensor.dataType] };
      if (bytes.byteLength < threshold) return { ...base, rawData: bytes };
      const offset = externalLength;
      externalChunks.push(bytes);
      externalLength += bytes.byteLength;
      return {
        ...base,
        dataLocation: 1,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ],
      };
    });

  const nodeProtos = nodes.map((node) => ({
    name: `${node.op}_${node.id}`,
    opType: node.op === 'StopGradient' ? 'Identity' : node.op,
    input: node.inputs.map(valueName),
    // Unused optional outputs stay unnamed so ONNX Runtime may skip them (and fuse LayerNormalization).
    output: node.outputs.map((value, index) =>
      index > 0 && node.op === 'LayerNormalization' && !consumed.has(value) ? '' : valueName(value),
    ),
    attribute: Object.entries(node.attributes).map(([name, value]) => attributeProto(name, value)),
  }));
  for (const { input, output } of identities) {
    nodeProtos.push({ name: `output_${output}`, opType: 'Identity', input: [input], output: [output], attribute: [] });
  }

  const message = ModelProtoType.fromObject({
    irVersion,
    opsetImport: [{ domain: '', version: opsetVersion }],
    producerName: options.producerName ?? '@diffchat/autodiff',
    graph: {
      name: graph.name,
      node: nodeProtos,
      initializer: initializers,
      input: [...graph.inputs.values()].map((tensor) => ({
        name: tensor.name,
        type: tensorType(tensor.dataType, tensor.shape),
      })),
      output: [...graph.outputs].map(([name, tensor]) => ({ name, type: tensorType(tensor.dataType, tensor.shape) })),
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  const model = ModelProtoType.encode(message).finish();
  if (externalChunks.length === 0) return { model };
  const bytes = new Uint8Array(externalLength);
  let offset = 0;
  for (const chunk of externalChunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { model, externalData: { location, bytes } };
}

/**
 * Writes a graph as an ONNX file at `path` (and its external data beside it, named after the file), for
 * ONNX Runtime, Netron, onnx.checker and other ONNX tools.
 */
export async function saveOnnxModel(graph: Graph, path: string, options: SerializeOptions = {}): Promise<void> {
  const serialized = toOnnxModel(graph, { externalDataLocation: `${basename(path)}.data`, ...options });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, serialized.model);
  if (serialized.externalData) {
    await writeFile(join(dirname(path), serialized.externalData.location), serialized.externalData.bytes);
  }
}
