import { Anchor, Button, Code, Group, Modal, Text } from '@mantine/core';
import { memo, useState, type ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { isOpenableLink, openOutside } from './open-link';
import { rehypeSpeech } from './speech';

/** A link from a reply: it opens only after the designer confirms, and then outside the studio. */
function ConfirmLink(props: { href: string; children: ReactNode }) {
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const openable = isOpenableLink(props.href);
  return (
    <>
      <Anchor
        component="button"
        type="button"
        className="message-link"
        data-testid="message-link"
        title={props.href}
        onClick={() => (setFailure(null), setAsking(true))}
      >
        {props.children}
      </Anchor>
      <Modal opened={asking} onClose={() => setAsking(false)} title="Open this link outside the studio?" data-testid="link-confirm">
        <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="link-confirm-url">
          {props.href}
        </Text>
        {!openable && (
          <Text size="sm" c="red" mt="xs">
            Only web (http, https) and mail links can be opened.
          </Text>
        )}
        {failure && (
          <Text size="sm" c="red" mt="xs" data-testid="link-open-failed">
            The link could not be opened: {failure}
          </Text>
        )}
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setAsking(false)} data-testid="link-cancel">
            Cancel
          </Button>
          <Button
            disabled={!openable}
            data-testid="link-open"
            onClick={() =>
              void openOutside(props.href).then(
                (result) => result === 'opened' && setAsking(false),
                (err: unknown) => setFailure(err instanceof Error ? err.message : String(err)),
              )
            }
          >
            Open in browser
          </Button>
        </Group>
      </Modal>
    </>
  );
}

const components: Components = {
  em: ({ children }) => <em className="message-action">{children}</em>,
  a: ({ href, children }) => <ConfirmLink href={href ?? ''}>{children}</ConfirmLink>,
  // Remote images would be fetched as soon as a reply shows; they become links to confirm instead.
  img: ({ src, alt }) => <ConfirmLink href={typeof src === 'string' ? src : ''}>{alt || 'image'}</ConfirmLink>,
  code: ({ className, children }) => <Code className={className}>{children}</Code>,
  pre: ({ children }) => <pre data-testid="message-code-block">{children}</pre>,
};

/**
 * A message as Markdown (CommonMark + no raw HTML: react-markdown escapes it and no rehype-raw is used),
 * with *actions* in italics and "speech" coloured, as SillyTavern shows them.
 */
export const MessageText = memo(function MessageText(props: { text: string }) {
  return (
    <Markdown components={components} rehypePlugins={[rehypeSpeech]} skipHtml>
      {props.text}
    </Markdown>
  );
});
