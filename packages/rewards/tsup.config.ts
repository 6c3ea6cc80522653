import { packageBuild } from '../../tsup.base';

export default packageBuild({
  index: 'src/index.ts',
  clip: 'src/clip/index.ts',
  aesthetic: 'src/aesthetic/index.ts',
  pickscore: 'src/pickscore/index.ts',
  distilled: 'src/distilled/index.ts',
  defaults: 'src/defaults/index.ts',
});
