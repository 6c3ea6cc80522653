/**
 * Words the open vocabulary never draws, on top of the lexicon's own `sensitive` flag (offensive and slang senses).
 * Two reasons, kept apart so that each list stays reviewable.
 */

/** NSFW, violent, drug, weapon, political, religious and national words: a generated prompt must be safe to show. */
const UNSAFE = `
abortion addict adulterer alcoholic ammunition anarchist anti-semite anus arsenal artillery assassin assault b-52 bandoleer bawdyhouse bayonet beheading bludgeon bomb bomber bordello brassiere breast brothel bullet cadaver cannon captive carcass cartridge catholic charnel cocaine communist concubine condom corpse
crook crowbait cuckold dagger dead democrat devil diaper drug drunk embassy executioner explosive fascist fetus fiend
firearm foe fuhrer genocide ghoul grenade gun guerrilla gunman harlot heroin hitler honkytonk honky-tonk hooker icbm
idol infidel inmate interceptor intercourse jihad kamikaze killer landmine lingerie man-of-war marijuana
martyr mine missile mistress morgue murderer naked nazi nipple nude nuthouse opium pentagon penis pistol poison pornography
prey prisoner propaganda prostitute protestant radical rape rebel republican revolutionary rifle rifleman senile slave
sniper socialist speakeasy spy stripper suicide swastika sword-swallower terrorist thief torpedo torture underwear
vagina vatican victim villain virgin warhead weapon whore witch-hunt wretch prostitution president politician god saint
war priest liberal bourbon booze alcohol liquor applejack bitters tank destroyer weapons military mental funeral government
american assyrian russian german italian japanese korean chinese finn californian northerner southerner
`;

/**
 * Nouns that a prompt cannot show as a thing or a place: abstractions the lexicon files under a concrete class
 * (`member`, `system`), microscopic life, body parts of animals, proper names of places, and words whose first sense
 * reads otherwise in a prompt.
 */
const UNDRAWABLE = `
accessory accouterment addition administrator adult aggressor aide algae antecedent appointee area assembly
associate b bacteria base beat bearer believer blade border bottom boundary bug candidate carrier center character
chuck cilium ciliate client clothing colleague commonwealth commune companion component compartment confederacy
constituent contributor contrivance conveyor correspondent counselor creator critic cud dealer derivation destination
detractor device diatom diet dilution direction divinity dose down drone duplication edge eggs empire end eve exterior
black female feeder feeler filling fool formulation forerunner fraction freshman front fuzz gage garb garment grub harvest
host hulk humanist import impurity incarnation individual ingredient inside innovation instrument instrumentation
interchange interface investigator junior larva layer left left-hander links load loading loon lord ma male mammal
manifold match material member microorganism middle miss mixture monstrosity motif muse nectary newcomer nomia
nourishment observer offspring official opponent ordinary origin original outline output outside parasite particle
person pet phloem piece pith plant pop position premix primates producer product professional protozoa protozoan
provisions psithyrus radical ration reach receiver recording release relative representative repository residence
residue rumen rump scapular scene seat secretary sentimentalist setting setup side slide slop solution source spirit
spirits spore stamen state storeria structure stuff subdivision successor superior surface sustenance system territory
thamnophis tip top total tract transport transportation trend tropidoclonion tubing user vehicle vertebrate viand
virus ward waste weeds white wildcat works wrapper xylem young youth
africa america asia atlanta atlantic bali birmingham broadway caribbean ceylon cheyenne china dc delaware europe
georgia greenland guam hawaii hudson iceland ireland japan java korea manchester mayflower mediterranean mekong
mississippi missouri morocco north orinoco pacific parthenon providence rome russia sabine south sumatra tahiti
taiwan washington west aegean
soul witness fellow pitcher bum jerk lover romantic stoic picket trooper trustee tumbler rigger escort phantom nymph
claw beak beef mount ancistrodon andrena bombus clamshell cocoon cuckoo-bumblebee cur dun feather hoof horseback
leafhopper snout stray whiteface wrack seaweed hookworm reptile
bark bulb burr needle brassica dichondra pseudophloem ribes syringa catkin legume seedpod sloe pollen crop
swallow feed produce vintage tidbit loblolly lobscouse lobscuse sowbelly marrowbone pemmican hardbake gum crisp
attire clothes laundry gallus levis bolo
stand cover camp pool block floor plate counter frame cell clip closet deck mound pavement pocket pole sheath shell
wall accelerator barricade capsule cartwheel chute circuit commuter diaphragm disc emblem enclosure filter fort freight
generator harness hearth heel helm knob landing loft machinery mortar mouthpiece muzzle platform plumbing reflector rib
rod roof roundhouse salve sash seal shelter shipment shutter switch terminal vent walk-up workshop screen trap
privy john lavatory ginmill honky-tonk dive outlet architecture headquarters edifice coop creche dispensary commissary
feedlot packinghouse soddy barrel tube sewer airway areaway capillary catheter chimney gutter hatchway pike sluice
ground flat incline trough anthill berg draw declivity cavity landmass mainland continent subcontinent pit pothole
tidewater corner spot home port post reservation orbit outpost region abode open site province route overprint surprint
linecut reductivism synthetism cyberart
`;

/** Words of proper place names: a multi-word lemma holding one names a place, not a kind of place. */
const PLACE_WORDS = `africa america american asia atlantic arabian baffin britain carolina caribbean delaware hawaiian
hudson indies kamchatka mekong mississippi philippine states york sea-island aegean gilead sharon virginia
bartlett english sanguineum albicans aerogenes tumefaciens pyocanea anhemolyticus melanderi miliaris`;

/** Multi-word lemmas that are categories, parts or idioms rather than things to show. */
const ODD_PHRASES = `aerobacter aerogenes|blue-green algae|ciliated protozoan|flagellated protozoan|green algae|hind leg|
joint snake|liver fluke|saddle hackle|domestic animal|hoop snake|lined snake|fumed oak|garden heliotrope|golden glow|
plant tissue|sweet shrub|coffee break|creep feed|petit dejeuner|scotch and soda|whisky on the rocks|bathtub gin|
attack aircraft carrier|aircraft carrier|rolling stock|funny wagon|head covering|hip pad|street clothes|
capillary tubing|lamp chimney|sewer line|test tube|water main|body of water|terra firma|the indies|place of business|
wall street|trade route|hall of fame|picture palace|tourist court|sawdust saloon|testing room|outside door|
service entrance|side entrance|stage door|main drag|commercial art|work of art|objet d'art|supra expressionism|
arial mosaic|contact print|photographic print|glyptic art|plastic art|self-taught art|vernacular art|sculptural relief`;

/**
 * Adjectives whose WordNet attribute fits a look but whose first reading in a prompt does not (`heroic` is a size,
 * `tender` an age), comparatives listed as lemmas, and the morbid ones.
 */
const ODD_ADJECTIVES = `
ardent astronomical atomic baked beady bigger bleak cadaverous clammy colossal cosmic dank darkening dried earthlike
elfin emaciated epic extensive fervent fleshy fouled gilded glaring heated heroic immature immense infantile larger
lesser lighted matted minute monstrous mountainous older overheated parched patched plumping precooled prodigious
recent reeking refreshing scorched shivery shriveled skeletal sloppy smaller sodden sooty spacious stringy stupendous
sunbaked sunstruck swart sweltering tender tenebrous tepid thermal thirsty titanic tremendous unheated unstained
untested untried unused used vast vernal voluminous walloping warmed warming withered creamy sizable teensy bouffant
secondhand childlike unclean soiled dingy
`;

function words(list: string): Set<string> {
  return new Set(list.trim().split(/\s+/));
}

/** Unsafe phrases whose words are harmless alone. */
const UNSAFE_PHRASES = new Set(['atom bomb', 'booby trap', 'prime minister', 'attorney general', 'secretary of state']);
const placeWords = words(PLACE_WORDS);
const oddPhrases = new Set(ODD_PHRASES.split(/\s*\|\s*/));
const unsafe = words(UNSAFE);
const undrawable = words(UNDRAWABLE);
const odd = words(ODD_ADJECTIVES);

/** Nouns whose first sense is a way but which a prompt shows as things (`smoking a pipe`), never as places. */
const NOT_PLACES = new Set([
  'pipe',
  'ladder',
  'steps',
  'stairs',
  'chimney',
  'gutter',
  'doorway',
  'portal',
  'entrance',
  'shortcut',
  'bypass',
  'thruway',
  'highroad',
  'cardroom',
  'greenroom',
]);

/** True when a setting noun is blocked, or names a thing rather than a place. */
export function isBlockedSetting(lemma: string): boolean {
  return NOT_PLACES.has(lemma) || isBlocked(lemma);
}

/**
 * True when a lemma (or any of its words) is unsafe to generate, or when the lemma is one the open vocabulary
 * cannot draw. Multi-word lemmas are unsafe when any word is (`atom bomb`, `cartridge belt`).
 */
export function isBlocked(lemma: string): boolean {
  if (
    unsafe.has(lemma) ||
    undrawable.has(lemma) ||
    odd.has(lemma) ||
    UNSAFE_PHRASES.has(lemma) ||
    oddPhrases.has(lemma)
  )
    return true;
  const parts = lemma.split(/[\s-]+/);
  return parts.some((word) => unsafe.has(word)) || (parts.length > 1 && parts.some((word) => placeWords.has(word)));
}
