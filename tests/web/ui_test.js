#!/usr/bin/env node
// Browser test of the web UI: starts `pageflow serve` ($PAGEFLOW_BIN) on a free loopback
// port, opens it in Debian's Chromium through playwright-core, uploads a two-page PDF
// with the file picker and waits until both pages' text is shown beside their images,
// pointing at a line outlines its box on the image where its ink is, the document is
// done, the memory gauge shows the server's limit and the Markdown, ALTO and PDF
// downloads work; then a Tesseract page whose doubtful words are marked, and a 40-page document
// whose pages are built only when scrolled near and dropped again when far.
// Exit code 0 = pass, 1 = fail, 77 = skipped (no Chromium or playwright-core).
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BIN = process.env.PAGEFLOW_BIN || path.join(__dirname, '../../build/src/cli/pageflow');
const TIMEOUT_MS = 60000;  // generous: CI runs the suites two at a time on two cores

let playwright;
try {
  playwright = require('playwright-core');
} catch (e) {
  console.log('SKIP: playwright-core not installed (scripts/setup installs it)');
  process.exit(77);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log('SKIP: no Chromium at ' + CHROMIUM);
  process.exit(77);
}

// A minimal PDF with one line of 24 pt Helvetica per page (a string), or several lines
// ([[size, text], ...], or [size, [[font, text], ...]] for runs in Helvetica /F1 and
// Symbol /F2) from the top, xref offsets computed.
function makePdf(lines) {
  const objects = [];
  const pageIds = lines.map((_, i) => 4 + 2 * i);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => id + ' 0 R').join(' ')}] /Count ${lines.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const symbol = 4 + 2 * lines.length;
  objects[symbol] = '<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>';
  lines.forEach((line, i) => {
    const parts = typeof line === 'string' ? [[24, line]] : line;
    let y = 700;
    const stream = parts.map(([size, text]) => {
      const runs = typeof text === 'string' ? [['F1', text]] : text;
      const s = `BT 72 ${y} Td ${runs.map(([font, t]) => `/${font} ${size} Tf (${t}) Tj`).join(' ')} ET`;
      y -= size * 1.25;
      return s;
    }).join('\n');
    objects[4 + 2 * i] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ` +
      `/Resources << /Font << /F1 3 0 R /F2 ${symbol} 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`;
    objects[5 + 2 * i] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += String(offsets[id]).padStart(10, '0') + ' 00000 n \n';
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return out;
}

async function waitForFile(file, child) {
  const end = Date.now() + TIMEOUT_MS;
  while (Date.now() < end) {
    if (fs.existsSync(file)) return Number(fs.readFileSync(file, 'utf8').trim());
    if (child.exitCode !== null) throw new Error('pageflow serve exited with ' + child.exitCode);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('pageflow serve did not start');
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pageflow-ui-'));
  const pdf = path.join(tmp, 'two-pages.pdf');
  fs.writeFileSync(pdf, makePdf([
    [[24, 'Browser test alpha one'], [11, 'The body of the first page is set in a smaller size than its'],
      [11, 'heading, so the layout stage makes the large line a heading.']],
    'Browser test beta two']));
  const portFile = path.join(tmp, 'port');
  const server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, '--engine', 'text-layer',
    '--workers', '2', '--memory-limit', '300M', '--spool-dir', path.join(tmp, 'spool')],
  { stdio: ['ignore', 'inherit', 'inherit'] });
  let context;
  try {
    const port = await waitForFile(portFile, server);
    context = await playwright.chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      acceptDownloads: true,
      timeout: TIMEOUT_MS,
    });
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    // The gauge shows the server's budget once /v1/status answered.
    await page.waitForFunction(() => document.getElementById('mem-limit').textContent.includes('300'));

    await page.setInputFiles('#file', pdf);
    await page.waitForSelector('.doc[data-state="done"]');
    const pages = await page.$$eval('.doc .page', (els) => els.map((e) => ({
      page: e.dataset.page, text: e.querySelector('.page-text').textContent,
      engine: e.querySelector('.engine') && e.querySelector('.engine').textContent,
    })));
    const expect = (cond, what) => { if (!cond) throw new Error(what + ': ' + JSON.stringify(pages)); };
    expect(pages.length === 2, 'two pages shown');
    expect(pages[0].page === '1' && pages[0].text.includes('Browser test alpha one'), 'page 1 text');
    expect(pages[1].page === '2' && pages[1].text.includes('Browser test beta two'), 'page 2 text');
    expect(pages[0].engine === 'text-layer', 'engine shown');

    // Each page's image beside its lines; pointing at a line outlines its box on the image.
    await page.waitForSelector('.doc .page:first-child .page-figure.loaded img');
    const img = await page.$eval('.doc .page:first-child .page-figure img',
      (e) => ({ w: e.naturalWidth, h: e.naturalHeight }));
    expect(img.w >= 100 && img.w <= 1200 && Math.abs(img.h / img.w - 792 / 612) < 0.01,
      'page image of the page\'s proportions: ' + JSON.stringify(img));
    const firstLine = '.doc .page:first-child .page-lines .ln';
    expect(await page.isVisible(firstLine), 'lines shown beside the image');
    expect((await page.textContent(firstLine)) === 'Browser test alpha one', 'first line: ' +
      await page.textContent(firstLine));
    expect(!(await page.isVisible('.doc .page:first-child .hl')), 'no highlight before pointing');
    await page.hover(firstLine);
    await page.waitForSelector('.doc .page:first-child .hl', { state: 'visible' });
    const geo = await page.evaluate(() => {
      const p = document.querySelector('.doc .page:first-child');
      const r = (e) => { const b = e.getBoundingClientRect(); return { x0: b.left, y0: b.top, x1: b.right, y1: b.bottom }; };
      const im = p.querySelector('.page-figure img');
      // The darkest pixel of the image under the highlight: the line's ink is there.
      const c = document.createElement('canvas');
      c.width = im.naturalWidth;
      c.height = im.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(im, 0, 0);
      const ir = im.getBoundingClientRect(), hr = p.querySelector('.hl').getBoundingClientRect();
      const sx = im.naturalWidth / ir.width, sy = im.naturalHeight / ir.height;
      const px = g.getImageData(Math.max(0, Math.floor((hr.left - ir.left) * sx)), Math.max(0, Math.floor((hr.top - ir.top) * sy)),
        Math.max(1, Math.floor(hr.width * sx)), Math.max(1, Math.floor(hr.height * sy))).data;
      let darkest = 255;
      for (let i = 0; i < px.length; i += 4) darkest = Math.min(darkest, px[i]);
      return { img: r(im), hl: r(p.querySelector('.hl')), darkest };
    });
    // The line is drawn at x = 72 pt, baseline 92 pt from the top (24 pt Helvetica: caps
    // from about 75 pt, descenders to 97 pt), about 250 pt long, on a 612 x 792 pt page.
    const W = geo.img.x1 - geo.img.x0, H = geo.img.y1 - geo.img.y0;
    const want = { x0: geo.img.x0 + W * 72 / 612, y0: geo.img.y0 + H * 75 / 792,
      x1: geo.img.x0 + W * 322 / 612, y1: geo.img.y0 + H * 97 / 792 };
    const area = (b) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
    const common = area({ x0: Math.max(want.x0, geo.hl.x0), y0: Math.max(want.y0, geo.hl.y0),
      x1: Math.min(want.x1, geo.hl.x1), y1: Math.min(want.y1, geo.hl.y1) });
    const iou = common / (area(want) + area(geo.hl) - common);
    expect(iou >= 0.5, `highlight over the line (IoU ${iou.toFixed(2)}): ${JSON.stringify({ want, geo })}`);
    expect(geo.darkest < 100, 'ink under the highlight: ' + geo.darkest);
    await page.hover('.doc .doc-name');
    await page.waitForSelector('.doc .page:first-child .hl', { state: 'hidden' });

    // The toggle shows the pages rendered from Markdown (a heading, a paragraph joined from
    // its lines); the raw toggle the text as written, Markdown marks included.
    expect(!(await page.isVisible('.doc .page:first-child .page-md')), 'Markdown hidden at first');
    await page.click('.doc .toggle-md');
    expect(!(await page.isVisible(firstLine)), 'lines hidden by the Markdown toggle');
    const shown = await page.$$eval('.doc .page:first-child .page-md > *', (els) => els.map((e) => ({
      tag: e.tagName, text: e.textContent, visible: e.offsetParent !== null,
    })));
    expect(shown.length === 2 && /^H[1-6]$/.test(shown[0].tag) && shown[0].text === 'Browser test alpha one' &&
      shown[0].visible, 'heading rendered: ' + JSON.stringify(shown));
    expect(shown[1].tag === 'P' && shown[1].text.includes('than its heading, so'), 'paragraph joined: ' + JSON.stringify(shown));
    expect(!(await page.isVisible('.doc .page:first-child .page-text')), 'raw text hidden at first');
    await page.click('.doc .toggle-raw');
    expect(await page.isVisible('.doc .page:first-child .page-text'), 'raw text shown by the toggle');
    expect(!(await page.isVisible('.doc .page:first-child .page-md')), 'rendered view hidden by the toggle');
    const raw = await page.textContent('.doc .page:first-child .page-text');
    expect(raw.startsWith('# Browser test alpha one'), 'raw Markdown: ' + raw);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.doc .dl-md')]);
    const saved = path.join(tmp, 'result.md');
    await download.saveAs(saved);
    const md = fs.readFileSync(saved, 'utf8');
    if (!md.includes('<!-- page 2 -->') || !md.includes('Browser test beta two')) throw new Error('Markdown download: ' + md);
    // ALTO: the document's words with boxes, as `run --format alto` writes it.
    const [altoDownload] = await Promise.all([page.waitForEvent('download'), page.click('.doc .dl-alto')]);
    const altoFile = path.join(tmp, 'result.alto.xml');
    await altoDownload.saveAs(altoFile);
    const alto = fs.readFileSync(altoFile, 'utf8');
    if (altoDownload.suggestedFilename() !== 'two-pages.alto.xml') throw new Error('ALTO file name: ' + altoDownload.suggestedFilename());
    const altoRoot = alto.replace(/^<\?xml[^>]*\?>\s*/, '');
    if (!altoRoot.startsWith('<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"') ||
      !alto.includes('CONTENT="beta"')) throw new Error('ALTO download: ' + alto.slice(0, 500));
    // The searchable PDF: the uploaded document with its text layer, as `run --format pdf`.
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.click('.doc .dl-pdf')]);
    const pdfFile = path.join(tmp, 'result.pdf');
    await pdfDownload.saveAs(pdfFile);
    if (pdfDownload.suggestedFilename() !== 'two-pages.searchable.pdf') throw new Error('PDF file name: ' + pdfDownload.suggestedFilename());
    const pdfBytes = fs.readFileSync(pdfFile, 'latin1');
    if (!pdfBytes.startsWith('%PDF-') || !pdfBytes.trimEnd().endsWith('%%EOF')) throw new Error('PDF download: ' + pdfBytes.slice(0, 200));

    // A page OCRed by Tesseract: its words in the Symbol font are read as doubtful
    // garbage (confidence well below 0.6) and marked, in the text and on the image;
    // the Helvetica words (above 0.9) are not.
    const lowPdf = path.join(tmp, 'doubtful.pdf');
    fs.writeFileSync(lowPdf, makePdf([[[20, 'Checking the reading of words'],
      [20, [['F1', 'plain words then '], ['F2', 'qwxzy']]], [20, [['F1', 'more plain words '], ['F2', 'Ylqjd']]]]]));
    await page.selectOption('#engine', 'tesseract');
    await page.fill('#dpi', '150');
    await page.setInputFiles('#file', lowPdf);
    await page.waitForFunction(() => document.querySelectorAll('.doc[data-state="done"]').length === 2);
    const ocr = '.doc:first-child .page:first-child';
    await page.waitForSelector(ocr + ' .page-figure.loaded img');
    const words = await page.$$eval(ocr + ' .page-lines .w', (els) => els.map((e) => ({
      text: e.textContent, low: e.classList.contains('low'), title: e.title })));
    const low = words.filter((w) => w.low);
    expect(words.length >= 12 && low.length === 2 && low.every((w) => /^confidence \d+%$/.test(w.title)),
      'the two Symbol words marked: ' + JSON.stringify(words));
    expect(words.filter((w) => ['Checking', 'plain', 'more'].includes(w.text)).every((w) => !w.low),
      'plain words unmarked: ' + JSON.stringify(words));
    expect((await page.$$(ocr + ' .marks .lowmark')).length === 2, 'doubtful words marked on the image');

    // A long document: a page's body and image are built only when it comes near the
    // viewport, so nothing renders every page up front.
    let imageRequests = 0;
    page.on('request', (r) => { if (/\/pages\/\d+\/image/.test(r.url())) imageRequests++; });
    const longPdf = path.join(tmp, 'long.pdf');
    fs.writeFileSync(longPdf, makePdf(Array.from({ length: 40 }, (_, i) => 'Long document page ' + (i + 1))));
    await page.selectOption('#engine', 'text-layer');
    await page.setInputFiles('#file', longPdf);
    await page.waitForFunction(() => document.querySelectorAll('.doc[data-state="done"]').length === 3);
    await page.waitForSelector('.doc:first-child .page:first-child .page-figure.loaded');
    const long = await page.$$eval('.doc:first-child .page', (els) => ({
      pages: els.length, built: els.filter((e) => e.querySelector('.page-body')).length }));
    expect(long.pages === 40 && long.built < 10 && imageRequests < 10,
      `few pages built: ${JSON.stringify(long)}, ${imageRequests} images asked`);
    // Scrolled through to the end, page by page: the pages far behind are dropped again
    // (body and record), holding their place; scrolled back, the first page is built
    // from its record on the server (GET /v1/jobs/ID/pages/1).
    let recordRequests = 0;
    page.on('request', (r) => { if (/\/pages\/\d+(\?|$)/.test(r.url())) recordRequests++; });
    for (let i = 0; i < 200; i++) {
      const atEnd = await page.evaluate(() => {
        window.scrollBy(0, 700);
        return window.innerHeight + window.scrollY >= document.body.scrollHeight - 2;
      });
      await page.waitForTimeout(60);
      if (atEnd) break;
    }
    await page.$eval('.doc:first-child .page:last-child', (e) => e.scrollIntoView());
    await page.waitForSelector('.doc:first-child .page:last-child .page-figure.loaded');
    const scrolled = await page.$$eval('.doc:first-child .page', (els) => ({
      built: els.filter((e) => e.querySelector('.page-body')).length,
      first: !!els[0].querySelector('.page-body'),
      firstHeight: els[0].offsetHeight }));
    expect(!scrolled.first && scrolled.built < 20 && scrolled.firstHeight > 100,
      `far pages dropped, keeping their height: ${JSON.stringify(scrolled)}`);
    await page.$eval('.doc:first-child .page:first-child', (e) => e.scrollIntoView());
    await page.waitForSelector('.doc:first-child .page:first-child .page-figure.loaded');
    const again = await page.$eval('.doc:first-child .page:first-child .page-text', (e) => e.textContent);
    expect(again.includes('Long document page 1') && recordRequests >= 1,
      `the first page built again from the server: ${JSON.stringify(again)}, ${recordRequests} records asked`);
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    console.log('PASS: the UI showed pages beside their images with line boxes, doubtful words, ' +
      'built a long document lazily and dropped its far pages, and showed the gauge and the ' +
      'Markdown, ALTO and PDF downloads');
  } finally {
    if (context) await context.close().catch(() => {});
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error('FAIL: ' + (e && e.stack || e));
  process.exit(1);
});
