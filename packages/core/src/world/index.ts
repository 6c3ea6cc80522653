/** The prompt world: vocabulary data and seeded generators of prompts, beautified prompts and edit triplets. */
export {};
