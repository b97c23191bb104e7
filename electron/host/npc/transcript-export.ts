import type { ConversationView } from './transcript-schema';

export interface ExportNames {
  /** Shown for assistant messages; the NPC id when omitted. */
  npcName?: string;
  /** Shown for user messages; "You" when omitted. */
  userName?: string;
}

/** The whole conversation, every swipe included, as pretty JSON. */
export function transcriptToJson(view: ConversationView, names: ExportNames = {}, exportedAt = new Date()): string {
  const doc = {
    format: 'npc-studio-transcript',
    version: 1,
    npcId: view.npcId,
    npcName: names.npcName ?? view.npcId,
    userName: names.userName ?? 'You',
    conversationId: view.conversationId,
    startedAt: view.startedAt,
    exportedAt: exportedAt.toISOString(),
    messages: view.messages,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** A readable transcript: the chosen swipe of each message, with a note when there were others. */
export function transcriptToMarkdown(view: ConversationView, names: ExportNames = {}): string {
  const npc = names.npcName ?? view.npcId;
  const user = names.userName ?? 'You';
  const lines = [`# ${escapeMd(npc)}: conversation ${view.conversationId}`, ''];
  if (view.startedAt) lines.push(`_Started ${view.startedAt}_`, '');
  for (const m of view.messages) {
    const notes: string[] = [];
    if (m.greeting) notes.push('greeting');
    if (m.swipes.length > 1) notes.push(`swipe ${m.chosen + 1} of ${m.swipes.length}`);
    if (m.editedAt) notes.push('edited');
    if (m.interrupted) notes.push('interrupted');
    const who = escapeMd(m.role === 'assistant' ? npc : user);
    lines.push(`**${who}**${notes.length ? ` _(${notes.join(', ')})_` : ''}`, '', m.text, '');
  }
  return lines.join('\n');
}

function escapeMd(text: string): string {
  return text.replace(/([\\`*_[\]#])/g, '\\$1');
}
