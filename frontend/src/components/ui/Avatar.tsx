/** A person's initials on a colour derived from their name (the same name, the same colour). */
export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase())
    .join('');
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 360;
  return (
    <span className="avatar" aria-hidden="true" style={{ background: `hsl(${h} 55% 90%)`, color: `hsl(${h} 45% 30%)` }}>
      {initials || '?'}
    </span>
  );
}
