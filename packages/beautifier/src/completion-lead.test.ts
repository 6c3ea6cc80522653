import { describe, expect, it } from 'vitest';
import { completionLead } from './completion-lead';

describe('completionLead', () => {
  it('gives the literal text before {beautiful}, braces unescaped', () => {
    expect(completionLead({ completion: ' {beautiful}' })).toBe(' ');
    expect(completionLead({ completion: '{beautiful}' })).toBe('');
    expect(completionLead({ completion: '\nPrompt: {beautiful}\n' })).toBe('\nPrompt: ');
    expect(completionLead({ completion: '{{x}} -> {beautiful}' })).toBe('{x} -> ');
  });

  it('is undefined when the completion is not literal text followed by {beautiful}', () => {
    expect(completionLead({ completion: 'no field' })).toBeUndefined();
    expect(completionLead({ completion: '{simple} {beautiful}' })).toBeUndefined();
    expect(completionLead({ completion: '{{beautiful}}' })).toBeUndefined();
    expect(completionLead({ completion: 'a } {beautiful}' })).toBeUndefined();
  });
});
