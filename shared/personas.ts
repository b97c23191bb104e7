import { z } from 'zod';
import { idSchema, LIMITS } from './ids';

/** Who the designer plays in a chat: `{{user}}` is the name, the description goes into the prompt. */

export const PERSONA_LIMITS = { description: 10_000, personas: 200 } as const;

export const personaIdSchema = idSchema;

export const personaSchema = z.strictObject({
  id: personaIdSchema,
  name: z.string().trim().min(1, 'give the persona a name').max(LIMITS.name),
  description: z.string().max(PERSONA_LIMITS.description).default(''),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** What persona.save takes: no id makes a new persona. */
export const personaDraftSchema = z.strictObject({
  id: personaIdSchema.optional(),
  name: personaSchema.shape.name,
  description: z.string().max(PERSONA_LIMITS.description).default(''),
});

/** The personas file (<data>/personas.json). */
export const personaFileSchema = z.strictObject({
  version: z.literal(1),
  defaultId: personaIdSchema.nullable().default(null),
  personas: z.array(personaSchema).max(PERSONA_LIMITS.personas).default([]),
});

export type Persona = z.output<typeof personaSchema>;
export type PersonaDraft = z.input<typeof personaDraftSchema>;
export type PersonaFile = z.output<typeof personaFileSchema>;

export interface PersonaList {
  personas: Persona[];
  /** The persona new conversations get; null: "User" with no description. */
  defaultId: string | null;
}

/** The name `{{user}}` stands for when no persona is chosen. */
export const DEFAULT_USER_NAME = 'User';
