/** One dimension: a size, or the name of a size known only when the graph runs (`'batch'`, `'seq'`). */
export type Dim = number | string;

/** A tensor shape; named dimensions stand for sizes bound at run time. */
export type Shape = readonly Dim[];

/** `[batch, 128, 4]` style text for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Whether every dimension is a known size. */
export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((dim) => typeof dim === 'number');
}

/** Number of elements of a static shape (1 for a scalar, shape `[]`). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Resolves a possibly negative axis against a rank, or throws naming the operation. */
export function normalizeAxis(axis: number, rank: number, operation: string): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= rank) {
    throw new RangeError(`${operation}: axis ${axis} is out of range for rank ${rank}`);
  }
  return resolved;
}

/**
 * Numpy broadcasting of two shapes. Named dimensions broadcast against 1 and against themselves; a named
 * dimension meeting a size larger than 1 takes that size (the run fails if they disagree).
 */
export function broadcastShapes(left: Shape, right: Shape, operation: string): Dim[] {
  const rank = Math.max(left.length, right.length);
  const result: Dim[] = [];
  for (let index = 0; index < rank; index++) {
    const a = left[index - (rank - left.length)] ?? 1;
    const b = right[index - (rank - right.length)] ?? 1;
    if (a === b || b === 1) result.push(a);
    else if (a === 1) result.push(b);
    else if (typeof a === 'string' && typeof b === 'number') result.push(b);
    else if (typeof b === 'string' && typeof a === 'number') result.push(a);
    else {
      throw new RangeError(
        `${operation}: shapes ${formatShape(left)} and ${formatShape(right)} do not broadcast (dimension ${index})`,
      );
    }
  }
  return result;
}

/**
 * The axes along which a gradient of `outputShape` must be summed to reach `operandShape` after broadcasting:
 * the leading axes the operand lacks, and the axes where the operand has size 1 but the output does not.
 */
export function broadcastReductionAxes(operandShape: Shape, outputShape: Shape): { axes: number[]; leading: number } {
  const leading = outputShape.length - operandShape.length;
  const axes: number[] = [];
  for (let index = 0; index < outputShape.length; index++) {
    if (index < leading) axes.push(index);
    else if (operandShape[index - leading] === 1 && outputShape[index] !== 1) axes.push(index);
  }
  return { axes, leading };
}
