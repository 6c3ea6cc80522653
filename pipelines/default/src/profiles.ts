/** Sizes of one pipeline run. `quick` fits a laptop in minutes; `full` is the documented default-scale run. */
export interface PipelineProfile {
  /** Simple -> beautiful prompt pairs generated for the beautifier. */
  promptPairs: number;
  /** Edit triplets generated for InstructPE. */
  triplets: number;
  /** Triplets rendered and scored in the preview stage. */
  previewRecords: number;
  /** Side of the square preview renders, in pixels. */
  imageSize: number;
}

/** The two profiles; `quick` is what `pnpm demo` runs. */
export const PROFILES: Readonly<Record<'quick' | 'full', PipelineProfile>> = {
  quick: { promptPairs: 2_000, triplets: 2_000, previewRecords: 16, imageSize: 192 },
  full: { promptPairs: 20_000, triplets: 50_000, previewRecords: 64, imageSize: 256 },
};

/** Name of a profile. */
export type ProfileName = keyof typeof PROFILES;

/** Whether `name` names a profile. */
export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}
