// The labelling page: one pair at a time, answered by a click or a key.
// The pairs of a photo are fetched once; an answer moves to the next pair
// at once and is saved in the background, so nothing waits on the network.
import { $, api, element, withToken } from '/static/common.js';

let photo = null;      // the photo being labelled, with its pairs
let queue = [];        // pairs still to answer, least sure first
let history = [];      // [{pair, answer}] for undo
let pending = [];      // clicks of a pair of one's own
let pendingPoint = null;

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function save(pair, answer) {
  api(`/api/labels/pairs/${pair.id}`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ closer: answer }),
  }).catch((error) => showError(`The answer was not saved: ${error.message}`));
}

function marker(x, y, text, kind) {
  const ns = 'http://www.w3.org/2000/svg';
  const group = document.createElementNS(ns, 'g');
  const radius = Math.max(photo.width, photo.height) / 60;
  const ring = document.createElementNS(ns, 'circle');
  ring.setAttribute('cx', x); ring.setAttribute('cy', y); ring.setAttribute('r', radius);
  ring.setAttribute('class', `ring ${kind}`);
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', x + radius * 1.3); label.setAttribute('y', y - radius * 1.3);
  label.setAttribute('font-size', radius * 2.2);
  label.setAttribute('class', kind);
  label.textContent = text;
  group.append(ring, label);
  return group;
}

function render() {
  const svg = $('marks');
  svg.replaceChildren();
  const current = queue[0];
  if (current) {
    svg.append(marker(current.a[0], current.a[1], 'A', 'mark-a'), marker(current.b[0], current.b[1], 'B', 'mark-b'));
  }
  for (const [i, point] of pending.entries()) svg.append(marker(point[0], point[1], i ? 'B' : 'A', 'mark-new'));
  if (pendingPoint) svg.append(marker(pendingPoint[0], pendingPoint[1], '?', 'mark-new'));
  const answered = photo.pairs.filter((pair) => pair.answer !== null).length;
  $('progress').max = Math.max(1, photo.pairs.length);
  $('progress').value = answered;
  $('status').textContent = current
    ? `${answered} of ${photo.pairs.length} answered${current.suggested ? '' : ' (your pair)'}`
    : `All ${photo.pairs.length} pairs of this photo answered. Add your own by clicking two places.`;
  for (const id of ['closer-a', 'closer-b', 'equal', 'skip']) $(id).disabled = !current;
  $('undo').disabled = history.length === 0;
}

function answer(value) {
  const started = performance.now();
  const current = queue.shift();
  if (!current) return;
  if (value === 'skip') {
    queue.push(current);  // asked again after the others
  } else {
    current.answer = value;
    save(current, value);
  }
  history.push({ pair: current, answer: value });
  render();
  document.body.dataset.lastSwitchMs = String(performance.now() - started);
  refreshPhotos();
}

function undo() {
  const last = history.pop();
  if (!last) return;
  if (last.answer === 'skip') queue.splice(queue.indexOf(last.pair), 1);
  else { last.pair.answer = null; save(last.pair, null); }
  queue.unshift(last.pair);
  render();
  refreshPhotos();
}

async function openPhoto(id) {
  photo = await api(`/api/labels/photos/${id}`);
  queue = photo.pairs.filter((pair) => pair.answer === null);
  history = [];
  pending = [];
  pendingPoint = null;
  const image = $('photo');
  image.src = withToken(photo.image);
  image.alt = `${photo.name}, being labelled`;
  $('marks').setAttribute('viewBox', `-0.5 -0.5 ${photo.width} ${photo.height}`);
  $('stage-panel').hidden = false;
  render();
}

async function refreshPhotos() {
  let photos = [];
  try { ({ photos } = await api('/api/labels/photos')); } catch (error) { showError(error.message); return; }
  $('photos').replaceChildren(...photos.map((item) => {
    const button = element('button', { type: 'button', class: 'small', text: 'Label' });
    button.addEventListener('click', () => openPhoto(item.id).catch((error) => showError(error.message)));
    return element('li', {}, [element('span', { text: item.name }),
      element('span', { text: `${item.answered} of ${item.pairs} answered` }), button]);
  }));
  return photos;
}

$('upload').addEventListener('change', async (event) => {
  showError('');
  let last = null;
  for (const file of event.target.files) {
    const form = new FormData();
    form.append('file', file, file.name);
    $('status').textContent = `Proposing pairs for ${file.name}…`;
    try { last = await api('/api/labels/photos', { method: 'POST', body: form }); } catch (error) {
      showError(`${file.name}: ${error.message}`);
    }
  }
  await refreshPhotos();
  if (last) await openPhoto(last.id);
});

$('photo').addEventListener('click', async (event) => {
  if (!photo) return;
  const box = event.target.getBoundingClientRect();
  const point = [Math.round((event.clientX - box.left) / box.width * photo.width - 0.5),
    Math.round((event.clientY - box.top) / box.height * photo.height - 0.5)];
  if (event.shiftKey) {
    pendingPoint = point;
    $('save-point').disabled = false;
    $('point-depth').focus();
    render();
    return;
  }
  pending.push(point);
  if (pending.length === 2) {
    const [a, b] = pending;
    pending = [];
    try {
      const { id } = await api(`/api/labels/photos/${photo.id}/pairs`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a, b }),
      });
      const pair = { id, a, b, answer: null };
      photo.pairs.push(pair);
      queue.unshift(pair);
    } catch (error) { showError(error.message); }
  }
  render();
});

$('save-point').addEventListener('click', async () => {
  const depth = Number($('point-depth').value);
  if (!pendingPoint || !(depth > 0)) { showError('Type the depth in metres, more than 0.'); return; }
  try {
    await api(`/api/labels/photos/${photo.id}/points`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ at: pendingPoint, depth }),
    });
    showError('');
  } catch (error) { showError(error.message); }
  pendingPoint = null;
  $('save-point').disabled = true;
  render();
});

$('import').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const result = await api('/api/labels/import', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: await file.text(),
    });
    $('status').textContent = `Imported ${result.pairs} pairs and ${result.points} points` +
      (result.unmatched.length ? `; no photo named ${result.unmatched.join(', ')}` : '');
    await refreshPhotos();
    if (photo) await openPhoto(photo.id);
  } catch (error) { showError(error.message); }
});

$('closer-a').addEventListener('click', () => answer('a'));
$('closer-b').addEventListener('click', () => answer('b'));
$('equal').addEventListener('click', () => answer('equal'));
$('skip').addEventListener('click', () => answer('skip'));
$('undo').addEventListener('click', undo);
document.addEventListener('keydown', (event) => {
  if (!photo || event.target.tagName === 'INPUT') return;
  const action = { 1: 'a', 2: 'b', '=': 'equal', ' ': 'skip' }[event.key];
  if (action && queue.length) { event.preventDefault(); answer(action); }
  if (event.key === 'Backspace' || event.key === 'z') { event.preventDefault(); undo(); }
});
$('export').href = withToken('/api/labels/export');
refreshPhotos();
