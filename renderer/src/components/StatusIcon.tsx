import type { HealthStatus } from '../../../shared/health';

/** Status as a drawn shape plus its word: readable without colour and without an emoji font. */
export function StatusIcon(props: { status: HealthStatus | 'ok' | 'failed' | 'timed-out' | 'no-method'; size?: number; testId?: string }) {
  const size = props.size ?? 12;
  const { status } = props;
  const shape = (() => {
    switch (status) {
      case 'healthy':
      case 'ok':
        return <path d="M3 6.5 5.2 9 9.5 3.5" fill="none" strokeWidth="1.8" />;
      case 'degraded':
        return <path d="M6 3v4M6 8.6v.4" fill="none" strokeWidth="1.8" />;
      case 'unhealthy':
      case 'failed':
        return <path d="M3.5 3.5l5 5M8.5 3.5l-5 5" fill="none" strokeWidth="1.8" />;
      case 'timed-out':
        return <path d="M6 3.2V6l2 1.4" fill="none" strokeWidth="1.5" />;
      default:
        return <path d="M3.5 6h5" fill="none" strokeWidth="1.8" />;
    }
  })();
  return (
    <svg
      className={`status-icon ${status}`}
      width={size}
      height={size}
      viewBox="0 0 12 12"
      role="img"
      aria-label={status}
      data-testid={props.testId ?? 'status-icon'}
      data-status={status}
    >
      <circle cx="6" cy="6" r="5.5" className="status-icon-disc" />
      <g className="status-icon-mark" stroke="currentColor">
        {shape}
      </g>
    </svg>
  );
}
