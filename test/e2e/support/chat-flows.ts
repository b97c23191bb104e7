/**
 * The designer's core flows, shared by the web-host spec and the Electron spec: create an NPC, give it
 * lore, chat with it, stop a reply mid-stream, import a card and chat with that NPC.
 */
import { expect, type TestInfo } from '@playwright/test';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { tokenize } from '../../../electron/host/demo/ollama/conventions';
import { IMPORTED_NPC, writeCardPng } from './card-file';
import type { OllamaStandIn } from './ollama';
import type { StudioUi } from './studio-ui';

export const NPC = {
  name: 'Warden Hale',
  source: 'ember-gate.md',
  lore: 'The Ember Gate of Varrow opens only at the second bell, and its iron keys hang in the warden tower.',
  question: 'Tell me about the Ember Gate of Varrow.',
};

/** What the Ollama-protocol server answers when the lore chunk reached the prompt (electron/host/demo/ollama/conventions.ts). */
export const LORE_QUOTE = `As the lore says, "[${NPC.source}] ${NPC.lore}".`;

/** Every studio under test: its page, the Ollama stand-in it talks to, and the process that hosts it. */
export interface StudioUnderTest {
  ui: StudioUi;
  ollama: OllamaStandIn;
  hostPid: number;
}

export async function createNpc({ ui }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  await ui.openTab('npcs');
  await ui.byTestId('npc-new').click();
  const editor = ui.byTestId('npc-editor');
  await expect(editor).toBeVisible();
  await ui.byTestId('npc-field-name').fill(NPC.name);
  await ui.byTestId('npc-field-tags').fill('e2e, gatekeeper');
  await ui.byTestId('npc-field-description').fill('{{char}} guards the Ember Gate and answers every question with a proverb.');
  await ui.byTestId('npc-field-first-mes').fill('*raises a lantern* Who walks at the gate after dark?');
  await ui.snap(testInfo, 'npcs-editor');
  await ui.byTestId('npc-save').click();
  await expect(editor).toBeHidden();
  await expect(ui.npcItem(NPC.name)).toHaveClass(/selected/);
  await expect(ui.byTestId('npc-summary-name')).toHaveText(NPC.name);
  await ui.snap(testInfo, 'npcs');
}

/** Pastes a lore text into the Knowledge panel: it is chunked, embedded and stored in the real Chroma. */
export async function addLore({ ui }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  const panel = await ui.openTab('knowledge');
  await expect(panel).toContainText(`Knowledge of ${NPC.name}`);
  await ui.byTestId('knowledge-paste-name').fill(NPC.source);
  await ui.byTestId('knowledge-paste-text').fill(NPC.lore);
  await ui.byTestId('knowledge-paste-add').click();
  const row = ui.byTestId('knowledge-source').filter({ hasText: NPC.source });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row.locator('td').nth(1)).toHaveText('1');
  await searchFindsLore(ui);
  await ui.snap(testInfo, 'knowledge');
}

/** The search preview asks Chroma for the nearest chunks. */
export async function searchFindsLore(ui: StudioUi): Promise<void> {
  await ui.byTestId('knowledge-search-input').fill('Ember Gate keys');
  await ui.byTestId('knowledge-search').click();
  const hit = ui.byTestId('knowledge-hit').first();
  await expect(hit).toContainText(NPC.source);
  await expect(hit).toContainText(NPC.lore);
}

/** A reply streams in token by token and quotes the lore; the turn cites the source it came from. */
export async function chatQuotesLore({ ui, ollama }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  ollama.set({ tokenDelayMs: 40 });
  await ui.openTab('npcs');
  await ui.npcItem(NPC.name).click();
  await ui.byTestId('npc-chat').click();
  await expect(ui.byTestId('panel-chat')).toBeVisible();
  // The card's greeting opens the conversation.
  await expect(ui.turns().first()).toContainText('Who walks at the gate after dark?');

  await ui.recordStreaming();
  await ui.send(NPC.question);
  const reply = ui.lastReply();
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  const text = (await reply.getByTestId('chat-turn-text').textContent()) ?? '';
  expect(text).toContain(`I am ${NPC.name}.`);
  expect(text).toContain(LORE_QUOTE);
  expect(text).toContain(`You said: "${NPC.question}".`);

  // Streamed: while the turn was marked streaming the page showed the reply growing, each view a prefix
  // of the next and of the final text, several of them short of it.
  const samples = await ui.streamSamples();
  const seen = `texts seen while streaming: ${JSON.stringify(samples)}`;
  for (const [i, sample] of samples.entries()) {
    expect(text.startsWith(sample), seen).toBe(true);
    if (i > 0) expect(sample.length, seen).toBeGreaterThan(samples[i - 1]!.length);
  }
  expect(samples.filter((s) => s.length < text.length).length, seen).toBeGreaterThanOrEqual(3);
  testInfo.annotations.push({ type: 'streamed views', description: `${samples.length} partial texts before the reply completed` });

  // The citation: the chunk and its source, under "Lore used".
  const lore = reply.getByTestId('chat-lore');
  await lore.locator('summary').click();
  await expect(lore.getByTestId('chat-lore-source')).toHaveText(NPC.source);
  await expect(lore.getByTestId('chat-lore-chunk')).toContainText(NPC.lore);
  await reply.getByTestId('chat-prompt').locator('summary').click();
  await expect(reply.locator('[data-testid="chat-prompt-part"][data-part="knowledge"]')).toBeVisible();
  await ui.snap(testInfo, 'chat');
  ollama.reset();
}

/** A reply of 200 tokens at 200 ms each: 40 s, far longer than the steps taken while it streams. */
const SLOW_REPLY_TOKENS = 200;

/**
 * A slow reply: the Resources panel shows it in flight (1) with the sockets the host really holds, Stop
 * ends it (saved, marked interrupted), and in-flight goes back to 0.
 */
export async function stopMidStream(sut: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  const { ui, ollama } = sut;
  ollama.set({ tokenDelayMs: 200, replyTokens: SLOW_REPLY_TOKENS });
  await ui.openTab('chat');
  await ui.send('Who holds the keys?');
  const reply = ui.lastReply();
  await expect(reply).toHaveAttribute('data-status', 'streaming');
  await expect(reply.getByTestId('chat-turn-text')).toContainText(`I am ${NPC.name}`, { timeout: 10_000 });

  await ui.openTab('resources');
  await expect(ui.figure('ollama-client', 'in-flight')).toHaveText('1');
  await expect(ui.figure('local-processor', 'in-flight')).toHaveText('1');
  testInfo.annotations.push({ type: 'ollama sockets while streaming', description: await expectRealSocketCounts(sut) });
  await ui.snap(testInfo, 'resources-streaming');

  await ui.openTab('chat');
  await ui.byTestId('chat-stop').click();
  await expect(reply).toHaveAttribute('data-status', 'interrupted');
  await expect(reply.getByTestId('chat-turn-interrupted')).toBeVisible();
  await expect(ui.byTestId('chat-send')).toBeVisible();
  const partial = (await reply.getByTestId('chat-turn-text').textContent()) ?? '';
  expect(partial).toContain(`I am ${NPC.name}.`);
  // Cut short: fewer tokens than the server would have sent, and no more arrive.
  expect(tokenize(partial).length).toBeLessThan(SLOW_REPLY_TOKENS);
  await ui.page.waitForTimeout(600);
  await expect(reply.getByTestId('chat-turn-text')).toHaveText(partial);

  await ui.openTab('resources');
  await expect(ui.figure('ollama-client', 'in-flight')).toHaveText('0');
  await expect(ui.figure('local-processor', 'in-flight')).toHaveText('0');
  await ui.snap(testInfo, 'resources');
  ollama.reset();
}

/**
 * The socket figures on the Ollama client's card against the OS: what /proc shows the host process holding
 * towards the Ollama port, and what the Ollama server itself counts as open, at the same moment.
 */
async function expectRealSocketCounts({ ui, ollama, hostPid }: StudioUnderTest): Promise<string> {
  let seen = '';
  const agree = async () => {
    const panel = await ui.figureNumber('ollama-client', 'open-sockets');
    const panelProc = await ui.figureNumber('ollama-client', 'figure-osSocketsToPort');
    const proc = socketsToPort(ollama.port, hostPid);
    const server = ollama.live.connections.openCount;
    seen = JSON.stringify({ panel, panelProc, proc, server });
    return panel >= 1 && panel === panelProc && panelProc === proc && proc === server;
  };
  try {
    await expect.poll(agree, { timeout: 10_000, intervals: [100, 250] }).toBe(true);
  } catch (err) {
    throw new Error(`the Ollama socket figures never agreed (panel, panel /proc, /proc now, server): last ${seen}`, { cause: err });
  }
  return seen;
}

/** A Card V2 PNG made by the studio's exporter, imported through the NPCs panel; its lorebook is used in chat. */
export async function importCardAndChat({ ui }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  const file = writeCardPng(testInfo.outputPath('sable-quill.png'));
  await ui.openTab('npcs');
  await ui.byTestId('npc-import-file').setInputFiles(file);
  await expect(ui.npcItem(IMPORTED_NPC.name)).toHaveClass(/selected/);
  await expect(ui.byTestId('npc-summary-name')).toHaveText(IMPORTED_NPC.name);
  await ui.snap(testInfo, 'npcs-imported');

  await ui.byTestId('npc-chat').click();
  await expect(ui.turns().first()).toContainText('Unless it is about the tides.');
  await ui.send('Why is the lighthouse dark?');
  const reply = ui.lastReply();
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect(reply.getByTestId('chat-turn-text')).toContainText(`I am ${IMPORTED_NPC.name}.`);
  await expect(reply.getByTestId('chat-turn-text')).toContainText('You said: "Why is the lighthouse dark?".');
  const lore = reply.getByTestId('chat-lore');
  await lore.locator('summary').click();
  const entry = lore.getByTestId('chat-lore-entry');
  await expect(entry).toContainText(IMPORTED_NPC.loreContent);
  // The entry is labelled with the key that triggered it.
  await expect(entry.locator('strong')).toHaveText(IMPORTED_NPC.loreKey);
  await ui.snap(testInfo, 'chat-imported');
}
