/** Element types a symbolic tensor can hold. */
export type DataType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** The typed array that carries each data type's elements. */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any typed array a feed or an output may hold. */
export type TensorData = TypedArrayOf[DataType];

/** ONNX `TensorProto.DataType` codes of the public spec. */
export const onnxDataTypeCode: Record<DataType, number> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

/** The onnxruntime-common type name of each data type. */
export const runtimeTypeName: Record<DataType, 'float32' | 'float64' | 'int64' | 'int32' | 'bool'> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  bool: 'bool',
};

/** Bytes per element, for raw tensor data. */
export const bytesPerElement: Record<DataType, number> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  bool: 1,
};

/** Whether gradients flow through tensors of this type. */
export function isFloatType(dataType: DataType): boolean {
  return dataType === 'float32' || dataType === 'float64';
}

/** A fresh zero-filled typed array of the given type and length. */
export function allocate(dataType: DataType, length: number): TensorData {
  switch (dataType) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
}

/** The data type a typed array carries (a Uint8Array is read as bool). */
export function dataTypeOf(data: TensorData): DataType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}
