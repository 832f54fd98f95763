"""Small charts drawn on the server as SVG (no chart library, nothing to download)."""
from markupsafe import Markup, escape

ROW = 34
LABEL = 120
WIDTH = 320


def bars(rows):
    """Paired horizontal bars ``[(label, received, resolved)]`` as one accessible SVG (the
    same figures are in a table next to it, for screen readers)."""
    if not rows:
        return Markup("")
    top = max(received for _label, received, _resolved in rows) or 1
    span = WIDTH - LABEL - 40
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {ROW * len(rows) + 8}" '
             f'role="img" aria-hidden="true" focusable="false">']
    for i, (label, received, resolved) in enumerate(rows):
        y = 4 + i * ROW
        parts.append(f'<text x="0" y="{y + 14}" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y}" height="12" width="{span * received / top:.1f}"'
                     ' class="chart-received"/>')
        parts.append(f'<rect x="{LABEL}" y="{y + 14}" height="12" '
                     f'width="{span * resolved / top:.1f}" class="chart-resolved"/>')
        parts.append(f'<text x="{LABEL + span * received / top + 4:.1f}" y="{y + 11}" '
                     f'class="chart-value">{received}</text>')
        parts.append(f'<text x="{LABEL + span * resolved / top + 4:.1f}" y="{y + 25}" '
                     f'class="chart-value">{resolved}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
