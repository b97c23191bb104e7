import { describe, expect, it } from 'vitest';
import type { TranscriptTurn } from '../../shared/chat';
import { isOpenableLink } from '../../renderer/src/chat/open-link';
import { mergeNewest, prependOlder } from '../../renderer/src/chat/paging';
import { splitSpeech } from '../../renderer/src/chat/speech';

describe('splitSpeech', () => {
  it('marks straight and curly double-quoted speech, keeping every character in order', () => {
    const text = '*nods* "Fine." She turns. “Go on,” he says, "and hurry"';
    const pieces = splitSpeech(text);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.speech).map((p) => p.text)).toEqual(['"Fine."', '“Go on,”', '"and hurry"']);
  });

  it('leaves an unclosed quote and quotes across lines as plain text', () => {
    expect(splitSpeech('She says "wait')).toEqual([{ text: 'She says "wait', speech: false }]);
    expect(splitSpeech('"one\ntwo"').some((p) => p.speech)).toBe(false);
  });
});

describe('isOpenableLink', () => {
  it('opens web and mail links only', () => {
    expect(isOpenableLink('https://example.com/a')).toBe(true);
    expect(isOpenableLink('http://example.com')).toBe(true);
    expect(isOpenableLink('mailto:a@example.com')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'relative/path', ''])
      expect(isOpenableLink(bad)).toBe(false);
  });
});

const turn = (id: string): TranscriptTurn => ({
  id,
  role: 'user',
  text: id,
  alternatives: [id],
  chosen: 0,
  status: 'complete',
  createdAt: '2026-01-01T00:00:00Z',
});

describe('paging', () => {
  it('keeps older turns already read in front of the newest page read again', () => {
    const current = ['a', 'b', 'c', 'd'].map(turn);
    expect(mergeNewest(current, ['c', 'd', 'e'].map(turn)).map((t) => t.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('takes the page alone when its first turn is not among the turns shown', () => {
    expect(mergeNewest(['a', 'b'].map(turn), ['x', 'y'].map(turn)).map((t) => t.id)).toEqual(['x', 'y']);
    expect(mergeNewest(['a', 'b'].map(turn), [])).toEqual([]);
  });

  it('puts an older page in front without repeating turns', () => {
    expect(prependOlder(['c', 'd'].map(turn), ['a', 'b', 'c'].map(turn)).map((t) => t.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
