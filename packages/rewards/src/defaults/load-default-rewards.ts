import { join } from 'node:path';
import { type AestheticPredictor, loadAestheticPredictor } from '../aesthetic/aesthetic-predictor';
import { aestheticReward } from '../aesthetic/aesthetic-reward';
import { clipScoreReward, relevanceReward } from '../clip/clip-rewards';
import { loadClipEncoder, type OnnxClipEncoder } from '../clip/onnx-clip-encoder';
import { pickScoreReward } from '../pickscore/pickscore-reward';
import type { Reward } from '../reward';
import { defaultRewardFiles } from './train-default-rewards';

/** The embedded default reward models, loaded. */
export interface DefaultRewards {
  /** The dual encoder (CLIP layout), also PickScore's towers. */
  encoder: OnnxClipEncoder;
  /** The aesthetic head (LAION layout). */
  predictor: AestheticPredictor;
  /** Ready rewards on these models. */
  rewards: { aesthetic: Reward; pickscore: Reward; clipScore: Reward; relevance: Reward };
}

/** Where `pnpm --filter @diffchat/rewards train-default` writes the default models, relative to the working directory. */
export const defaultRewardsDirectory = join('.cache', 'default-rewards');

/**
 * Loads the models {@link trainDefaultRewards} wrote, through the same loaders as the real ones.
 *
 * @throws {@link RewardError} naming a missing file (train them first with `pnpm --filter @diffchat/rewards train-default`).
 */
export async function loadDefaultRewards(directory: string = defaultRewardsDirectory): Promise<DefaultRewards> {
  const encoder = await loadClipEncoder(directory);
  const predictor = await loadAestheticPredictor(join(directory, defaultRewardFiles.aesthetic));
  return {
    encoder,
    predictor,
    rewards: {
      aesthetic: aestheticReward({ encoder, predictor }),
      pickscore: pickScoreReward({ encoder }),
      clipScore: clipScoreReward({ encoder }),
      relevance: relevanceReward({ encoder }),
    },
  };
}
