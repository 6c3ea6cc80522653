import { packageBuild } from '../../tsup.base';

// The CommonJS build needs import.meta.url to require compromise lazily.
export default packageBuild(['src/index.ts'], { shims: true });
