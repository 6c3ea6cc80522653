/** @packageDocumentation DiffChat's rewards: content integrity, aesthetic, PickScore, CLIP score, distilled text rewards, composition */
export {};
