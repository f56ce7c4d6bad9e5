// An inline SVG icon (no emoji, no icon font, no image request): decorative by default
// (aria-hidden); give `label` when the icon alone carries meaning.

import { type IconName, SHAPES, STROKE } from '../icon-shapes';

export function Icon({
  name,
  label,
  size = 16,
  class: cls,
}: {
  name: IconName;
  label?: string;
  size?: number;
  class?: string;
}) {
  return (
    <svg
      class={`icon icon-${name}${cls ? ` ${cls}` : ''}`}
      width={size}
      height={size}
      viewBox="0 0 32 32"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
      focusable="false"
    >
      {SHAPES[name].map((p) => (
        <path
          key={p.d}
          d={p.d}
          fill={
            p.paint === 'fill'
              ? 'currentColor'
              : p.paint === 'cut'
                ? 'var(--or-icon-cut, var(--or-bg))'
                : 'none'
          }
          stroke={
            p.paint === 'stroke'
              ? 'currentColor'
              : p.paint === 'cut-stroke'
                ? 'var(--or-icon-cut, var(--or-bg))'
                : 'none'
          }
          stroke-width={p.paint === 'stroke' || p.paint === 'cut-stroke' ? STROKE : undefined}
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      ))}
    </svg>
  );
}
