// The studio as its users meet it: `depthforge serve` started on a free
// loopback port, the page opened in Debian's Chromium (puppeteer-core).
//
//   node web/tests/studio_browser_test.mjs build/depthforge [--screenshots docs/images]
//
// Needs DEPTHFORGE_MIRROR (the model, a photo and a video). Exit 0 = passed,
// 77 = skipped (no Chromium or no page assets), anything else = failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const SKIP = 77;
const [cli, ...rest] = process.argv.slice(2);
const screenshots = rest[0] === '--screenshots' ? rest[1] : '';
const mirror = process.env.DEPTHFORGE_MIRROR || '';
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const photo = join(mirror, 'data/photos/home.jpg');
const video = join(mirror, 'data/video/tree.avi');

function skip(why) { console.log(`SKIPPED: ${why}`); process.exit(SKIP); }
if (!cli || !existsSync(cli)) { console.error('usage: studio_browser_test.mjs path/to/depthforge'); process.exit(2); }
if (!existsSync(photo) || !existsSync(video)) skip('needs DEPTHFORGE_MIRROR with data/photos and data/video');
if (!existsSync(chromium)) skip(`no Chromium at ${chromium}`);
let puppeteer;
try { puppeteer = (await import('puppeteer-core')).default; } catch { skip('puppeteer-core is not installed (npm ci in web/)'); }

const data = mkdtempSync(join(tmpdir(), 'depthforge-studio-'));
const server = spawn(cli, ['serve', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
const cleanup = () => {
  server.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
};
process.on('exit', cleanup);

const port = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error('the server did not start in 60 s')), 60000);
  server.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /http:\/\/[^ ]*:(\d+)\//.exec(text);
    if (match) { clearTimeout(timer); resolve(Number(match[1])); }
  });
  server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
});
const base = `http://127.0.0.1:${port}`;

async function check(name, body) {
  const started = Date.now();
  await body();
  console.log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// Everything the page logs as an error, every failed request, every uncaught exception.
function watch(page) {
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A video element cancels its first range request once it has what it
    // needs; the page closes a job's event stream once the job has ended.
    const aborted = request.failure()?.errorText === 'net::ERR_ABORTED';
    if (!(aborted && (request.url().endsWith('.mp4') || request.url().endsWith('/events')))) problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`); });
  return problems;
}

try {
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });

  await check('a photo gives a depth image and a non-blank 3D viewer, without console errors', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const problems = watch(page);
    await page.goto(base + '/', { waitUntil: 'networkidle0' });
    const favicon = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=icon]').href)).status);
    assert.equal(favicon, 200, 'favicon');
    const upload = await page.$('input[data-testid=upload]');
    await upload.uploadFile(photo);
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => {
      const image = document.querySelector('img[data-testid=depth-image]');
      return image && image.complete && image.naturalWidth > 0;
    }, { timeout: 60000 });
    await page.waitForFunction(() => document.querySelector('canvas[data-testid=viewer]')?.dataset.loaded === 'true',
      { timeout: 60000 });
    await new Promise((r) => setTimeout(r, 500));  // a few frames drawn
    // Not blank: the drawn mesh varies, unlike the empty background.
    const spread = await page.evaluate(() => {
      const canvas = document.querySelector('canvas[data-testid=viewer]');
      const copy = document.createElement('canvas');
      copy.width = canvas.width; copy.height = canvas.height;
      const context = copy.getContext('2d');
      context.drawImage(canvas, 0, 0);
      const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
      // Statistics of the pixels that are not the background: the photo's
      // texture is bright and varied (an unlit or untextured mesh is dark).
      let sum = 0, squares = 0, covered = 0, n = 0;
      for (let i = 0; i < pixels.length; i += 16, ++n) {
        if (Math.abs(pixels[i] - 0x20) + Math.abs(pixels[i + 1] - 0x22) + Math.abs(pixels[i + 2] - 0x2e) <= 30) continue;
        const grey = (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
        sum += grey; squares += grey * grey; covered++;
      }
      const mean = sum / Math.max(1, covered);
      return { covered: covered / n, mean, deviation: Math.sqrt(squares / Math.max(1, covered) - mean * mean) };
    });
    assert.ok(spread.covered > 0.2 && spread.mean > 60 && spread.deviation > 20,
      `the viewer does not show the textured mesh: ${JSON.stringify(spread)}`);
    const progress = await page.$eval('[data-testid=progress]', (bar) => bar.value);
    assert.equal(progress, 1);
    assert.equal(await page.$eval('[data-testid=error]', (box) => box.hidden), true);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'studio-photo.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  await check('keyboard and phone width', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    const problems = watch(page);
    await page.goto(base + '/', { waitUntil: 'networkidle0' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
    await (await page.$('input[data-testid=upload]')).uploadFile(photo);
    // Tab reaches the file picker and the start button.
    const reached = new Set();
    for (let i = 0; i < 20; ++i) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.dataset?.testid || ''));
    }
    assert.ok(reached.has('upload') && reached.has('start'), `Tab reached only ${[...reached]}`);
    await page.focus('[data-testid=start]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('img[data-testid=depth-image]')?.naturalWidth > 0,
      { timeout: 60000 });
    if (screenshots) await page.screenshot({ path: join(screenshots, 'studio-phone.png'), fullPage: false });
    assert.deepEqual(problems, []);
    await page.close();
  });

  await check('a file that is not a photo shows an error', async () => {
    const page = await browser.newPage();
    await page.goto(base + '/', { waitUntil: 'networkidle0' });
    const fake = join(data, 'not-a-photo.jpg');
    writeFileSync(fake, 'this is text, not a JPEG');
    await (await page.$('input[data-testid=upload]')).uploadFile(fake);
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=error]').hidden, { timeout: 30000 });
    const message = await page.$eval('[data-testid=error]', (box) => box.textContent);
    assert.match(message, /not-a-photo/);
    assert.match(message, /not a photo or video/);
    await page.close();
  });

  await check('a video job completes and plays', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const problems = watch(page);
    await page.goto(base + '/', { waitUntil: 'networkidle0' });
    await (await page.$('input[data-testid=upload]')).uploadFile(video);
    await page.click('[data-testid=start]');
    await page.waitForSelector('video[data-testid=video-output]', { timeout: 240000 });
    const played = await page.evaluate(async () => {
      const player = document.querySelector('video[data-testid=video-output]');
      player.muted = true;
      await new Promise((resolve, reject) => {
        player.addEventListener('loadeddata', resolve, { once: true });
        player.addEventListener('error', () => reject(new Error('the video does not decode')), { once: true });
        if (player.readyState >= 2) resolve();
      });
      player.currentTime = 10;  // a seek: byte ranges
      await new Promise((resolve) => player.addEventListener('seeked', resolve, { once: true }));
      return { width: player.videoWidth, height: player.videoHeight, duration: player.duration };
    });
    assert.ok(played.width > 0 && played.duration > 25, `video: ${JSON.stringify(played)}`);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'studio-video.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
  await check('labelling: three pairs answered by clicking are in the export; the next pair shows at once', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const problems = watch(page);
    await page.goto(base + '/label', { waitUntil: 'networkidle0' });
    await (await page.$('input[data-testid=upload]')).uploadFile(photo);
    await page.waitForFunction(() => !document.querySelector('[data-testid=closer-a]').disabled, { timeout: 60000 });
    await page.waitForFunction(() => document.getElementById('photo').naturalWidth > 0, { timeout: 30000 });
    const switches = [];
    for (const button of ['closer-a', 'closer-b', 'equal']) {
      await page.click(`[data-testid=${button}]`);
      switches.push(Number(await page.evaluate(() => document.body.dataset.lastSwitchMs)));
    }
    assert.ok(switches.every((ms) => ms < 100), `next pair after ${switches} ms`);
    const exported = await page.waitForFunction(async () => {
      const labels = await (await fetch('/api/labels/export')).json();
      const pairs = labels.images.flatMap((image) => image.pairs);
      return pairs.length === 3 ? pairs.map((pair) => pair.closer) : false;
    }, { timeout: 10000, polling: 200 });
    assert.deepEqual((await exported.jsonValue()).sort(), ['a', 'b', 'equal']);
    // Undo takes the last answer back, in the export too.
    await page.keyboard.press('Backspace');
    await page.waitForFunction(async () => {
      const labels = await (await fetch('/api/labels/export')).json();
      return labels.images.flatMap((image) => image.pairs).length === 2;
    }, { timeout: 10000, polling: 200 });
    if (screenshots) await page.screenshot({ path: join(screenshots, 'studio-label.png'), fullPage: true });
    assert.deepEqual(problems, []);
    console.log(`  next pair shown ${switches.map((ms) => ms.toFixed(1)).join(', ')} ms after each answer`);
    await page.close();
  });
  console.log('all browser checks passed');
} catch (error) {
  console.error(`FAILED: ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  cleanup();
}
