import { configFields, trainerConfigSchema, ValidationError } from '@diffchat/core';
import { describe, expect, it } from 'vitest';
import { parseSftConfig, sftConfigSchema } from './sft-config';

describe('sftConfigSchema', () => {
  it('extends the shared trainer config with documented SFT fields', () => {
    const config = parseSftConfig({});
    expect(config).toMatchObject({
      outputDir: 'runs/sft',
      template: 'diffchat',
      mode: 'completion',
      maxLength: 256,
      packing: false,
      evalFraction: 0.05,
      earlyStoppingPatience: 0,
      batchSize: 8,
      learningRate: 5e-5,
    });
    expect(config.lora).toBeUndefined();
    const names = configFields(sftConfigSchema).map((field) => field.name);
    expect(names).toEqual(expect.arrayContaining(Object.keys(trainerConfigSchema.shape)));
    expect(names).toEqual(expect.arrayContaining(['template', 'mode', 'maxLength', 'packing', 'lora']));
    for (const field of configFields(sftConfigSchema)) expect(field.description, field.name).not.toBe('');
  });

  it('fills LoRA defaults and rejects unknown or out-of-range options', () => {
    expect(parseSftConfig({ lora: {} }).lora).toEqual({ rank: 8, alpha: 16, dropout: 0 });
    expect(() => parseSftConfig({ lora: { rank: 4, alhpa: 8 } })).toThrow(ValidationError);
    expect(parseSftConfig({ lora: { dropout: 0.1 } }).lora?.dropout).toBe(0.1);
    expect(() => parseSftConfig({ lora: { dropout: 1 } })).toThrow(/lora.*dropout/);
    expect(() => parseSftConfig({ packng: true }, 'sft.json')).toThrow(/sft\.json.*packng/);
    expect(() => parseSftConfig({ template: 'chatml' })).toThrow(/template/);
    expect(parseSftConfig({ template: { prompt: 'Q: {q}', completion: ' {a}' } }).template).toEqual({
      name: 'custom',
      prompt: 'Q: {q}',
      completion: ' {a}',
      appendEos: true,
    });
  });
});
