import { describe, expect, it } from 'vitest';
import { budgetOf } from '../../electron/host/npc/prompt/assemble';
import { studioSettingsSchema } from '../../shared/npc';

describe("budgetOf with the model's context length", () => {
  const studio = studioSettingsSchema.parse({ processor: 'local', model: 'tiny', sampling: { numCtx: 8192, maxTokens: 256 } });

  it('never goes past what the model was trained for', () => {
    expect(budgetOf(studio, 2048)).toEqual({ numCtx: 2048, replyReserve: 256, available: 1792 });
  });

  it("keeps the NPC's num_ctx when the model allows it, or when its context is unknown", () => {
    expect(budgetOf(studio, 131072).numCtx).toBe(8192);
    expect(budgetOf(studio).numCtx).toBe(8192);
  });
});
