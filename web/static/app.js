// The studio page: uploads files as jobs (POST /api/jobs), follows them
// (server-sent events), and shows what they made: the depth map against the
// photo, stereo previews, the mesh in a three.js viewer, the videos.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

import { $, api, element, withToken } from '/static/common.js';

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function setStatus(text, fraction) {
  $('status').textContent = text;
  if (fraction !== undefined) $('progress').value = fraction;
}

// ---- choosing files ----
let chosen = [];
let maxUploadBytes = Infinity;
function choose(files) {
  chosen = Array.from(files).filter((file) => file.size > 0);
  const list = $('chosen');
  list.replaceChildren(...chosen.map((file) =>
    element('li', { text: `${file.name} (${file.size < 1048576 ? Math.ceil(file.size / 1024) + ' KB'
      : (file.size / 1048576).toFixed(1) + ' MB'})` })));
  $('start').disabled = chosen.length === 0;
  setStatus(chosen.length ? `${chosen.length} file${chosen.length > 1 ? 's' : ''} ready.` : 'Choose a photo or a video to begin.', 0);
  showError('');
}
$('upload').addEventListener('change', (event) => choose(event.target.files));
const drop = $('drop');
drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  choose(event.dataTransfer.files);
});

for (const [id, unit] of [['strength', ' %'], ['convergence', '']]) {
  $(id).addEventListener('input', () => { $(id + '-value').textContent = $(id).value + unit; });
}

function checked(name) {
  return Array.from(document.querySelectorAll(`input[name=${name}]:checked`)).map((box) => box.value).join(',');
}

// ---- jobs ----
function follow(id, onUpdate) {
  // Server-sent events; if the stream breaks, poll until the job ends.
  return new Promise((resolve) => {
    const source = new EventSource(withToken(`/api/jobs/${id}/events`));
    let finished = false;
    const finish = (job) => { finished = true; source.close(); resolve(job); };
    source.addEventListener('job', (event) => {
      const job = JSON.parse(event.data);
      onUpdate(job);
      if (job.state === 'done' || job.state === 'failed') finish(job);
    });
    source.addEventListener('deleted', () => finish(null));
    source.onerror = async () => {
      if (finished) return;
      source.close();
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        try {
          const job = await api(`/api/jobs/${id}`);
          onUpdate(job);
          if (job.state === 'done' || job.state === 'failed') return finish(job);
        } catch { return finish(null); }
      }
    };
  });
}

async function start() {
  const files = chosen.slice();
  $('start').disabled = true;
  showError('');
  const failures = [];
  for (let i = 0; i < files.length; ++i) {
    const file = files[i];
    const isVideo = file.type.startsWith('video/') || /\.(mp4|mov|mkv|webm|avi|m4v|ts)$/i.test(file.name);
    const form = new FormData();
    form.append('as', checked(isVideo ? 'video-as' : 'photo-as') || 'depth');
    form.append('model', $('model').value);
    form.append('strength', $('strength').value);
    form.append('convergence', $('convergence').value);
    form.append('file', file, file.name);
    const label = `${file.name} (${i + 1} of ${files.length})`;
    if (file.size > maxUploadBytes) {
      failures.push(`${file.name}: larger than this server's limit of ${maxUploadBytes / 1048576} MB`);
      showError(failures.join('\n'));
      continue;
    }
    setStatus(`Uploading ${label}…`, 0);
    try {
      const { id } = await api('/api/jobs', { method: 'POST', body: form });
      const job = await follow(id, (update) => {
        const what = update.state === 'queued' ? 'waiting' : update.state === 'running' ? 'converting' : update.state;
        setStatus(`${label}: ${what} ${Math.round(update.progress * 100)} %`, update.progress);
      });
      if (!job) throw new Error(`${file.name}: the job was deleted`);
      if (job.state === 'failed') throw new Error(job.error || `${file.name}: the job failed`);
      showResult(job, file);
      setStatus(`${label}: done`, 1);
    } catch (error) {
      failures.push(`${file.name}: ${error.message}`);
      showError(failures.join('\n'));
    }
    refreshJobs();
  }
  setStatus(failures.length ? `Finished, ${failures.length} failed.` : 'All done.', failures.length ? undefined : 1);
  $('start').disabled = chosen.length === 0;
}
$('start').addEventListener('click', start);

// ---- results ----
function outputUrl(output) { return withToken(output.url); }
function find(job, suffix) { return job.outputs.find((output) => output.name.endsWith(suffix)); }

function compare(photoUrl, depthUrl, name) {
  const before = element('img', { src: photoUrl, alt: `${name}, the photo` });
  const after = element('img', { src: depthUrl, alt: `${name}, its depth map`, class: 'after', 'data-testid': 'depth-image' });
  const slider = element('input', { type: 'range', min: '0', max: '100', value: '50', 'aria-label': 'Photo or depth map' });
  const reveal = () => { after.style.clipPath = `inset(0 0 0 ${slider.value}%)`; };
  slider.addEventListener('input', reveal);
  reveal();
  return element('figure', {}, [element('div', { class: 'compare' }, [before, after]), slider,
    element('figcaption', { text: 'Depth map (near = bright): slide to compare with the photo' })]);
}

function showResult(job, file) {
  $('results-panel').hidden = false;
  const card = element('article', { class: 'job' }, [element('h3', { text: job.name })]);
  const grid = element('div', { class: 'grid' });
  const depth = find(job, '.depth.color.png');
  if (depth) grid.append(compare(URL.createObjectURL(file), outputUrl(depth), job.name));
  for (const [suffix, caption] of [['.anaglyph.jpg', 'Anaglyph (red-cyan glasses)'], ['.hsbs.jpg', 'Half side-by-side'],
    ['.sbs.jpg', 'Side-by-side']]) {
    const output = find(job, suffix);
    if (output) grid.append(element('figure', {}, [element('img', { src: outputUrl(output), alt: caption }),
      element('figcaption', { text: caption })]));
  }
  const mesh = find(job, '.glb');
  if (mesh) {
    const canvas = element('canvas', { class: 'viewer', 'data-testid': 'viewer', tabindex: '0',
      'aria-label': '3D view of the mesh: drag to turn, scroll to zoom' });
    grid.append(element('figure', {}, [canvas, element('figcaption', { text: '3D mesh: drag to turn, scroll to zoom' })]));
    requestAnimationFrame(() => showMesh(canvas, outputUrl(mesh)));
  }
  for (const output of job.outputs.filter((o) => o.name.endsWith('.mp4'))) {
    grid.append(element('figure', {}, [element('video', { src: outputUrl(output), controls: '', preload: 'metadata',
      'data-testid': 'video-output' }), element('figcaption', { text: output.name })]));
  }
  card.append(grid);
  const links = element('p', { class: 'downloads' }, [document.createTextNode('Download: ')]);
  for (const output of job.outputs) {
    links.append(element('a', { href: withToken(output.url + '?download=1'), download: '', text: output.name }));
  }
  card.append(links);
  $('results').prepend(card);
}

function showMesh(canvas, url) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x20222e);
  const camera = new THREE.PerspectiveCamera(60, 4 / 3, 0.01, 1000);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = true;
  const resize = () => {
    const width = canvas.clientWidth, height = canvas.clientHeight;
    renderer.setSize(width, height, false);
    camera.aspect = width / Math.max(1, height);
    camera.updateProjectionMatrix();
  };
  new ResizeObserver(resize).observe(canvas);
  resize();
  new GLTFLoader().load(url, (gltf) => {
    // The texture is the photo: show it as it is, without lighting.
    gltf.scene.traverse((node) => {
      if (node.isMesh) node.material = new THREE.MeshBasicMaterial({ map: node.material.map, side: THREE.DoubleSide });
    });
    scene.add(gltf.scene);
    // The mesh is in the photo's camera frame: start where the photo was taken.
    const box = new THREE.Box3().setFromObject(gltf.scene);
    const centre = box.getCenter(new THREE.Vector3());
    camera.position.set(0, 0, 0);
    camera.near = Math.max(0.01, box.getSize(new THREE.Vector3()).length() / 1000);
    camera.updateProjectionMatrix();
    controls.target.set(0, 0, centre.z);  // straight ahead, as the photo was taken
    // A little to the side and above, so the depth shows at once.
    const view = new THREE.Spherical().setFromVector3(camera.position.clone().sub(controls.target));
    view.theta += 0.35;
    view.phi -= 0.15;
    camera.position.copy(controls.target).add(new THREE.Vector3().setFromSpherical(view));
    controls.update();
    canvas.dataset.loaded = 'true';
  }, undefined, () => showError('The 3D mesh could not be loaded.'));
  // Keyboard: arrows turn the view.
  canvas.addEventListener('keydown', (event) => {
    const step = { ArrowLeft: [0.1, 0], ArrowRight: [-0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] }[event.key];
    if (!step) return;
    event.preventDefault();
    const offset = camera.position.clone().sub(controls.target);
    const spherical = new THREE.Spherical().setFromVector3(offset);
    spherical.theta += step[0];
    spherical.phi = Math.min(Math.PI - 0.05, Math.max(0.05, spherical.phi + step[1]));
    camera.position.copy(controls.target).add(new THREE.Vector3().setFromSpherical(spherical));
  });
  renderer.setAnimationLoop(() => { controls.update(); renderer.render(scene, camera); });
}

// ---- recent jobs ----
async function refreshJobs() {
  let jobs = [];
  try { ({ jobs } = await api('/api/jobs')); } catch (error) { showError(error.message); return; }
  $('jobs').replaceChildren(...jobs.slice(0, 20).map((job) => {
    const item = element('li', {}, [element('span', { text: job.name }),
      element('span', { class: `state-${job.state}`, text: job.state === 'running'
        ? `running ${Math.round(job.progress * 100)} %` : job.state })]);
    for (const output of job.outputs) {
      item.append(element('a', { href: withToken(output.url + '?download=1'), download: '', text: output.name }));
    }
    const remove = element('button', { type: 'button', class: 'small', text: 'Delete',
      'aria-label': `Delete the job for ${job.name}` });
    remove.addEventListener('click', async () => {
      try { await api(`/api/jobs/${job.id}`, { method: 'DELETE' }); } catch (error) { showError(error.message); }
      refreshJobs();
    });
    item.append(remove);
    return item;
  }));
}

async function init() {
  try {
    const config = await api('/api/config');
    $('model').replaceChildren(...config.models.map((name) =>
      element('option', { value: name, text: name + (name === config.default_model ? ' (default)' : '') })));
    $('model').value = config.default_model;
    maxUploadBytes = config.max_upload_mb * 1048576;
  } catch (error) {
    showError(error.message);
  }
  refreshJobs();
}
init();
