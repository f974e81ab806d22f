// The Keyway mark: a key on an indigo tile. Inline SVG, so no image request and it follows the text size.
export function KeywayMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <rect width="32" height="32" rx="8" className="fill-indigo-600" />
      <g fill="none" stroke="white" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round">
        <circle cx="11" cy="16" r="4.5" />
        <path d="M15.5 16H25M21.5 16v3.5M25 16v2.5" />
      </g>
    </svg>
  );
}
