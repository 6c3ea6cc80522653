/**
 * A reward was configured or called with bad input. `field` names the offending place in the caller's terms:
 * a config path (`contentIntegrity.weight`), a record field (`records[3].target`) or an option (`threshold`).
 */
export class RewardError extends Error {
  /** Where the problem is, e.g. `records[2].images[0]` or `pickscore.normalize.std`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'RewardError';
    this.field = field;
  }
}

/** An optional peer dependency that a reward needs is not installed; `packageName` says what to install. */
export class MissingDependencyError extends Error {
  /** The npm package to install, e.g. `onnxruntime-node`. */
  readonly packageName: string;

  constructor(packageName: string, feature: string, cause?: unknown) {
    // onnxruntime-node's install script downloads CUDA libraries unless told to skip them; its CPU build ships inside.
    const install =
      packageName === 'onnxruntime-node'
        ? 'ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` (CPU only, no CUDA download'
        : `npm install ${packageName}\` (`;
    super(
      `${feature} needs the optional package "${packageName}", which is not installed: run \`${install}; or pnpm add / yarn add) next to @diffchat/rewards`,
      { cause },
    );
    this.name = 'MissingDependencyError';
    this.packageName = packageName;
  }
}
