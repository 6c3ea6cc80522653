/**
 * Nouns that name a man or a woman, for `make him ...` and `give her ...`. English marks gender on few nouns and
 * WordNet does not record it, so they are listed; other people are referred to by name (`the doctor`).
 */
const MALE = new Set(
  `man boy king father brother son uncle husband gentleman lad prince monk nephew grandfather grandson guy
  fisherman cowboy businessman fireman policeman horseman nobleman sir lord duke emperor groom bridegroom wizard`.split(
    /\s+/,
  ),
);
const FEMALE = new Set(
  `woman girl queen mother sister daughter aunt wife lady princess nun niece grandmother granddaughter girlfriend
  bride hostess actress waitress duchess empress witch ballerina mermaid maid heroine goddess`.split(/\s+/),
);

/** `him`, `her`, or undefined when the noun does not tell. */
export function pronounOf(noun: string): 'him' | 'her' | undefined {
  if (MALE.has(noun)) return 'him';
  if (FEMALE.has(noun)) return 'her';
  return undefined;
}
