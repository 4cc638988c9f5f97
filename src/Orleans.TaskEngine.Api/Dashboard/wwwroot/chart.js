// Throughput as an inline SVG bar chart, one bar per minute (oldest left, the current minute so far right), drawn here:
// no chart library.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600, HEIGHT = 160, LEFT = 34, BOTTOM = 20, TOP = 10;

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

export function drawThroughput(container, series) {
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'tasks finished per minute' });
  const max = Math.max(1, ...series);
  const plotWidth = WIDTH - LEFT - 4, plotHeight = HEIGHT - TOP - BOTTOM;
  const step = series.length > 0 ? plotWidth / series.length : plotWidth;
  chart.append(svg('line', { x1: LEFT, y1: TOP + plotHeight, x2: WIDTH - 4, y2: TOP + plotHeight, class: 'axis' }));
  chart.append(svg('text', { x: LEFT - 4, y: TOP + 8, 'text-anchor': 'end', class: 'label' }, max));
  chart.append(svg('text', { x: LEFT - 4, y: TOP + plotHeight, 'text-anchor': 'end', class: 'label' }, 0));
  chart.append(svg('text', { x: LEFT, y: HEIGHT - 4, class: 'label' }, `-${series.length} min`));
  chart.append(svg('text', { x: WIDTH - 4, y: HEIGHT - 4, 'text-anchor': 'end', class: 'label' }, 'now'));
  series.forEach((n, i) => {
    const height = (n / max) * plotHeight;
    const bar = svg('rect', { x: LEFT + i * step + 1, y: TOP + plotHeight - height, width: Math.max(1, step - 2), height, class: 'bar' });
    bar.append(svg('title', {}, `${n} finished, ${i === series.length - 1 ? 'this minute so far' : `${series.length - 1 - i} min ago`}`));
    chart.append(bar);
  });
  container.replaceChildren(chart);
}
