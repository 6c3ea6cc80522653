import { describe, expect, it } from 'vitest';
import { baseFormCandidates } from './morphology';

describe('baseFormCandidates', () => {
  // Expected lists follow morphy(7WN)'s detachment table, applied in its order.
  it('applies the noun rules in order, the word first', () => {
    expect(baseFormCandidates('foxes', 'noun')).toEqual(['foxes', 'foxe', 'fox']);
    expect(baseFormCandidates('berries', 'noun')).toEqual(['berries', 'berrie', 'berry']);
    expect(baseFormCandidates('firemen', 'noun')).toEqual(['firemen', 'fireman']);
  });

  it('knows irregular plurals that prompts use', () => {
    expect(baseFormCandidates('geese', 'noun')).toContain('goose');
    expect(baseFormCandidates('scarves', 'noun')).toContain('scarf');
  });

  it('inflects only the last word of a phrase', () => {
    expect(baseFormCandidates('fire hydrants', 'noun')).toContain('fire hydrant');
  });

  it('applies the verb and adjective rules', () => {
    expect(baseFormCandidates('smoking', 'verb')).toEqual(['smoking', 'smoke', 'smok']);
    expect(baseFormCandidates('largest', 'adjective')).toContain('large');
  });

  it('leaves short words alone', () => {
    expect(baseFormCandidates('is', 'noun')).toEqual(['is']);
  });
});
