import type { Element, ElementContent, Root, RootContent } from 'hast';

/** "Speech" in straight or curly double quotes, quotes included (SillyTavern colours the quoted words). */
const SPEECH = /"[^"\n]+"|“[^”\n]+”/g;

/** Splits a text into plain runs and quoted speech, in order, nothing lost: joining the pieces gives the text back. */
export function splitSpeech(text: string): { text: string; speech: boolean }[] {
  const pieces: { text: string; speech: boolean }[] = [];
  let at = 0;
  for (const match of text.matchAll(SPEECH)) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index), speech: false });
    pieces.push({ text: match[0], speech: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), speech: false });
  return pieces;
}

const NO_SPEECH_INSIDE = new Set(['code', 'pre']);

function wrap(children: ElementContent[]): ElementContent[] {
  return children.flatMap((child): ElementContent[] => {
    if (child.type === 'text') {
      const pieces = splitSpeech(child.value);
      if (!pieces.some((p) => p.speech)) return [child];
      return pieces.map((p) =>
        p.speech
          ? ({
              type: 'element',
              tagName: 'span',
              properties: { className: ['message-speech'] },
              children: [{ type: 'text', value: p.text }],
            } satisfies Element)
          : { type: 'text', value: p.text },
      );
    }
    if (child.type === 'element' && !NO_SPEECH_INSIDE.has(child.tagName)) child.children = wrap(child.children);
    return [child];
  });
}

/** A rehype plugin: wraps "quoted speech" in text (not in code) in <span class="message-speech">. */
export function rehypeSpeech() {
  return (tree: Root) => {
    tree.children = tree.children.map((node: RootContent) => {
      if (node.type === 'element' && !NO_SPEECH_INSIDE.has(node.tagName)) node.children = wrap(node.children);
      return node;
    });
  };
}
