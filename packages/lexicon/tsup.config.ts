import { packageBuild } from '../../tsup.base';

// The CommonJS build needs import.meta.url to find the index next to dist/.
export default packageBuild(['src/index.ts'], { shims: true });
