// pageflow web UI: uploads a document to POST /v1/ocr (NDJSON stream), shows each page
// as it finishes beside its image (GET /v1/jobs/{id}/pages/{n}/image, fetched when the
// page is scrolled near), polls /v1/status for the memory gauge and queue, and downloads
// results from /v1/jobs/{id}/result. Plain JS, no build step.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { token: localStorage.getItem('pageflow-token') || '' };

function authHeaders(extra = {}) {
  return state.token ? { ...extra, Authorization: 'Bearer ' + state.token } : extra;
}

function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
}

function needToken() {
  $('token-row').classList.remove('hidden');
  $('token').focus();
}

$('token').value = state.token;
$('token-save').addEventListener('click', () => {
  state.token = $('token').value.trim();
  localStorage.setItem('pageflow-token', state.token);
  $('token-row').classList.add('hidden');
  refreshStatus();
});

// ---- live status: memory gauge and queue ----
async function refreshStatus() {
  const health = $('health');
  try {
    const r = await fetch('/v1/status', { headers: authHeaders() });
    if (r.status === 401) {
      health.className = 'health busy';
      $('health-text').textContent = 'token required';
      needToken();
      return;
    }
    const s = await r.json();
    const m = s.memory;
    const pct = (x) => Math.min(100, (100 * x) / m.limit_bytes) + '%';
    $('gauge-fixed').style.width = pct(m.fixed_bytes);
    $('gauge-bar').style.left = pct(m.fixed_bytes);
    $('gauge-bar').style.width = Math.min(100, (100 * (m.reserved_bytes - m.fixed_bytes)) / m.limit_bytes) + '%';
    $('gauge-bar').classList.toggle('high', m.reserved_bytes > 0.85 * m.limit_bytes);
    $('mem-used').textContent = formatBytes(m.reserved_bytes);
    $('mem-limit').textContent = formatBytes(m.limit_bytes);
    $('mem-rss').textContent = formatBytes(m.rss_bytes);
    $('q-running').textContent = s.jobs.running;
    $('q-waiting').textContent = s.jobs.waiting;
    $('q-capacity').textContent = s.jobs.capacity;
    $('q-workers').textContent = s.workers.busy + ' / ' + s.workers.total;
    $('dpi').placeholder = s.defaults.dpi;
    $('lang').placeholder = s.defaults.lang;
    const full = s.jobs.running + s.jobs.waiting >= s.jobs.capacity;
    health.className = 'health ' + (full ? 'busy' : 'ok');
    $('health-text').textContent = full ? 'saturated — new documents get 429'
      : `ready · ${s.defaults.engine} · ${s.defaults.dpi} DPI`;
  } catch (e) {
    health.className = 'health down';
    $('health-text').textContent = 'server unreachable';
  }
}
setInterval(refreshStatus, 1000);
refreshStatus();

// ---- Markdown as pageflow writes it (layout/writers.h), rendered with DOM nodes only ----
// Headings, paragraphs, list items, GitHub pipe tables and the HTML <table> written for
// spanning cells; no other HTML is interpreted, so a page's text can never inject markup.
function paragraph(text, tag = 'p') {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}
function unescapeMd(s) { return s.replace(/\\([\\`*_{}\[\]()#+\-.!|>~<=])/g, '$1'); }
function splitRow(line) {
  const cells = [];
  let cur = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') { cur += '|'; i++; continue; }
    if (body[i] === '|') { cells.push(cur.trim()); cur = ''; continue; }
    cur += body[i];
  }
  cells.push(cur.trim());
  return cells;
}
function pipeTable(lines) {
  const table = document.createElement('table');
  lines.forEach((line, i) => {
    if (i === 1) return;  // the |---| rule
    const tr = document.createElement('tr');
    for (const c of splitRow(line)) tr.append(paragraph(unescapeMd(c), i === 0 ? 'th' : 'td'));
    table.append(tr);
  });
  return table;
}
function htmlTable(html) {
  // Parsed inertly, then rebuilt from rows, cells, spans and text only.
  const src = new DOMParser().parseFromString(html, 'text/html').querySelector('table');
  const table = document.createElement('table');
  if (!src) return paragraph(html);
  for (const row of src.querySelectorAll('tr')) {
    const tr = document.createElement('tr');
    for (const cell of row.children) {
      const tag = cell.tagName === 'TH' ? 'th' : 'td';
      const td = paragraph(cell.textContent, tag);
      for (const a of ['rowspan', 'colspan']) {
        const n = parseInt(cell.getAttribute(a) || '1', 10);
        if (n > 1 && n < 1000) td.setAttribute(a, String(n));
      }
      tr.append(td);
    }
    table.append(tr);
  }
  return table;
}
function renderMarkdown(md) {
  const out = document.createDocumentFragment();
  let list = null;
  for (const block of md.split(/\n{2,}/)) {
    const lines = block.split('\n');
    const first = lines[0];
    if (/^<!--.*-->$/.test(block.trim())) continue;
    if (/^<table>/i.test(first.trim())) { out.append(htmlTable(block)); list = null; continue; }
    if (lines.length >= 2 && /^\|.*\|\s*$/.test(first) && /^\|[\s:|-]+\|\s*$/.test(lines[1])) {
      out.append(pipeTable(lines)); list = null; continue;
    }
    const h = /^(#{1,6}) (.*)$/.exec(first);
    if (h && lines.length === 1) { out.append(paragraph(unescapeMd(h[2]), 'h' + h[1].length)); list = null; continue; }
    const items = lines.map((l) => /^(?:[-*+]|(\d+)[.)]) (.*)$/.exec(l));
    if (items.every((m) => m)) {
      const ordered = items[0][1] !== undefined;
      if (!list || list.ordered !== ordered) {
        list = { ordered, node: document.createElement(ordered ? 'ol' : 'ul') };
        out.append(list.node);
      }
      for (const m of items) list.node.append(paragraph(unescapeMd(m[2]), 'li'));
      continue;
    }
    list = null;
    out.append(paragraph(unescapeMd(lines.join(' '))));
  }
  return out;
}

// ---- page images beside the text, with the boxes of the lines ----
// A word the engine read with a confidence below this (0..1) is marked in the text and
// on the image: Tesseract gives sound words 0.85-0.97 and doubtful ones less.
const LOW_CONFIDENCE = 0.6;
const IMAGE_FETCHES = 2;  // page images requested at once (each is a render on the server)
const imageQueue = [];
let imagesInFlight = 0;

function pumpImages() {
  while (imagesInFlight < IMAGE_FETCHES && imageQueue.length) {
    const job = imageQueue.shift();
    imagesInFlight++;
    job().finally(() => { imagesInFlight--; pumpImages(); });
  }
}

// Fetches a page's image (with the token, which an <img src> could not send); a 429
// (the server's memory is busy with pages) is retried after its Retry-After.
function loadPageImage(view, figure, n) {
  const img = figure.querySelector('img');
  const note = figure.querySelector('figcaption');
  const canvas = figure.querySelector('.page-canvas');
  const dpr = window.devicePixelRatio || 1;
  const width = Math.min(1200, Math.max(100, Math.ceil((canvas.clientWidth || 400) * dpr / 100) * 100));
  const url = `/v1/jobs/${view.id}/pages/${n}/image?width=${width}`;
  let tries = 0;
  const attempt = async () => {
    try {
      const r = await fetch(url, { headers: authHeaders() });
      if (r.status === 429 && ++tries < 20) {
        const wait = 1000 * (parseInt(r.headers.get('Retry-After') || '1', 10) || 1);
        note.textContent = 'server busy, retrying…';
        setTimeout(() => { imageQueue.push(attempt); pumpImages(); }, wait);
        return;
      }
      if (!r.ok) { note.textContent = 'no image: ' + await errorMessage(r); return; }
      const blob = await r.blob();
      img.addEventListener('load', () => {
        figure.classList.add('loaded');
        note.textContent = '';
        URL.revokeObjectURL(img.src);  // decoded: the PNG's bytes need not stay
      }, { once: true });
      img.addEventListener('error', () => {
        note.textContent = 'the image could not be shown';
        URL.revokeObjectURL(img.src);
      }, { once: true });
      img.src = URL.createObjectURL(blob);
    } catch (e) {
      note.textContent = 'no image: ' + e.message;
    }
  };
  imageQueue.push(attempt);
  pumpImages();
}

// Places `node` over box [x0, y0, x1, y1] of a page `w` x `h` (the record's unit), in
// percent of the image, so the image's pixel size does not matter.
function placeBox(node, box, w, h) {
  node.style.left = (100 * box[0]) / w + '%';
  node.style.top = (100 * box[1]) / h + '%';
  node.style.width = (100 * (box[2] - box[0])) / w + '%';
  node.style.height = (100 * (box[3] - box[1])) / h + '%';
}

// The page's blocks, lines and words from its boxes: each line knows its box, pointing
// at it highlights the box on the image; doubtful words are marked. DOM nodes only.
function linesView(boxes, figure) {
  const view = document.createElement('div');
  view.className = 'page-lines';
  const w = boxes.width, h = boxes.height;
  const highlight = figure && figure.querySelector('.hl');
  const marks = figure && figure.querySelector('.marks');
  for (const block of boxes.blocks || []) {
    const b = document.createElement('div');
    b.className = 'blk ' + block.kind;
    for (const line of block.lines || []) {
      const ln = document.createElement('div');
      ln.className = 'ln';
      ln.dataset.box = line.box.join(',');
      (line.words || []).forEach((word, i) => {
        if (i) ln.append(' ');
        const span = document.createElement('span');
        span.className = 'w';
        span.textContent = word.text;
        if (word.confidence < LOW_CONFIDENCE) {
          span.classList.add('low');
          span.title = 'confidence ' + Math.round(100 * word.confidence) + '%';
          if (marks) {
            const m = document.createElement('div');
            m.className = 'lowmark';
            placeBox(m, word.box, w, h);
            marks.append(m);
          }
        }
        ln.append(span);
      });
      b.append(ln);
    }
    view.append(b);
  }
  if (highlight) {
    view.addEventListener('mouseover', (e) => {
      const ln = e.target.closest('.ln');
      if (!ln) return;
      placeBox(highlight, ln.dataset.box.split(',').map(Number), w, h);
      highlight.classList.remove('hidden');
    });
    view.addEventListener('mouseleave', () => highlight.classList.add('hidden'));
  }
  return view;
}

// Page bodies are built when they come near the viewport, and their images fetched then:
// a 300-page job costs a header per page until it is scrolled to.
const pageObserver = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting) continue;
    pageObserver.unobserve(e.target);
    const build = e.target.buildBody;
    delete e.target.buildBody;
    if (build) build();
  }
}, { rootMargin: '600px 0px' });

// And dropped again, with the page's record, when they are far from it: the page keeps
// its height and asks the server for its record (GET /v1/jobs/ID/pages/N) when it comes
// near again, so a 4,000-page job holds a few screens of pages, not all it has shown.
const farObserver = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting && e.target.unload) e.target.unload();
  }
}, { rootMargin: '2500px 0px' });

// ---- one document card ----
class DocView {
  constructor(file) {
    const node = $('doc-template').content.firstElementChild.cloneNode(true);
    this.node = node;
    this.file = file;
    this.pages = 0;
    this.pageHeight = 0;  // the last built page's height: what an unbuilt page stands in for
    this.total = 0;
    this.id = null;
    this.controller = new AbortController();
    node.querySelector('.doc-name').textContent = file.name;
    this.meta(formatBytes(file.size) + ' · uploading');
    this.setState('uploading');
    node.querySelector('.cancel').addEventListener('click', () => this.cancel());
    node.querySelector('.dl-md').addEventListener('click', () => this.download('markdown', 'md'));
    node.querySelector('.toggle-raw').addEventListener('click', (e) => {
      e.currentTarget.classList.toggle('on', node.classList.toggle('raw'));
    });
    node.querySelector('.toggle-md').addEventListener('click', (e) => {
      e.currentTarget.classList.toggle('on', node.classList.toggle('md'));
    });
    node.querySelector('.dl-jsonl').addEventListener('click', () => this.download('ndjson', 'jsonl'));
    node.querySelector('.dl-hocr').addEventListener('click', () => this.download('hocr', 'hocr'));
    node.querySelector('.dl-alto').addEventListener('click', () => this.download('alto', 'alto.xml'));
    node.querySelector('.dl-pdf').addEventListener('click', () => this.download('pdf', 'searchable.pdf'));
    $('empty').classList.add('hidden');
    $('docs').prepend(node);
  }
  meta(text) { this.node.querySelector('.doc-meta').textContent = text; }
  setState(s) {
    const b = this.node.querySelector('.state');
    b.textContent = s;
    b.className = 'badge state ' + s;
    this.node.dataset.state = s;
  }
  error(message) {
    const e = this.node.querySelector('.doc-error');
    e.textContent = message;
    e.classList.remove('hidden');
  }
  progress() {
    const pct = this.total ? (100 * this.pages) / this.total : 0;
    this.node.querySelector('.progress-bar').style.width = pct + '%';
  }
  addPage(p) {
    this.pages++;
    const li = document.createElement('li');
    li.className = 'page pending' + (p.error ? ' failed' : '');
    li.dataset.page = p.page;
    const head = document.createElement('div');
    head.className = 'page-head';
    const num = document.createElement('span');
    num.className = 'num';
    num.textContent = 'Page ' + p.page;
    head.append(num);
    if (p.engine) {
      const eng = document.createElement('span');
      eng.className = 'engine';
      eng.textContent = p.engine;
      head.append(eng);
    }
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = p.seconds < 1 ? Math.round(p.seconds * 1000) + ' ms' : p.seconds.toFixed(2) + ' s';
    head.append(time);
    li.append(head);
    li.buildBody = () => this.pageBody(li, p);
    // Unbuilt pages take the height built ones have, so that building them does not push
    // the pages below away (and out of reach of the near and far zones).
    if (this.pageHeight) li.style.minHeight = this.pageHeight + 'px';
    if (this.id) this.dropWhenFar(li, p.page);
    this.node.querySelector('.pages').append(li);
    pageObserver.observe(li);
    this.meta(`${formatBytes(this.file.size)} · ${this.pages}${this.total ? ' / ' + this.total : ''} pages`);
    this.progress();
  }
  // Lets page `n` drop its body and record when it is far from the viewport (a method
  // of its own, so that the closure cannot hold the record).
  dropWhenFar(li, n) {
    li.unload = () => {
      const body = li.querySelector('.page-body');
      if (body) {
        li.style.minHeight = li.offsetHeight + 'px';  // the page keeps its place
        body.remove();
        li.classList.remove('has-lines');
        li.classList.add('pending');
        pageObserver.observe(li);
      }
      li.buildBody = () => this.fetchPage(li, n);  // the record goes
    };
    farObserver.observe(li);
  }
  // A page dropped when it was far away, built again from its record on the server.
  async fetchPage(li, n) {
    let p;
    try {
      const r = await fetch(`/v1/jobs/${this.id}/pages/${n}?boxes=1`, { headers: authHeaders() });
      p = r.ok ? await r.json() : { page: n, error: 'the page is no longer on the server: ' + await errorMessage(r) };
    } catch (e) {
      p = { page: n, error: 'the page could not be fetched: ' + e.message };
    }
    if (li.querySelector('.page-body')) return;  // built meanwhile
    this.pageBody(li, p);
  }
  // The page's image (when the job is known) beside its text: the lines with their boxes
  // (shown first when the page has them), the rendered Markdown and the raw text.
  pageBody(li, p) {
    const body = document.createElement('div');
    body.className = 'page-body';
    let figure = null;
    if (this.id) {
      figure = document.createElement('figure');
      figure.className = 'page-figure';
      const canvas = document.createElement('div');
      canvas.className = 'page-canvas';
      if (p.boxes && p.boxes.width && p.boxes.height) canvas.style.aspectRatio = p.boxes.width + ' / ' + p.boxes.height;
      const img = document.createElement('img');
      img.alt = 'page ' + p.page;
      const marks = document.createElement('div');
      marks.className = 'marks';
      const hl = document.createElement('div');
      hl.className = 'hl hidden';
      canvas.append(img, marks, hl);
      const note = document.createElement('figcaption');
      note.className = 'muted';
      note.textContent = 'loading image…';
      figure.append(canvas, note);
      body.append(figure);
    }
    const content = document.createElement('div');
    content.className = 'page-content';
    // The page's text with its edge lines (margins the document may later call running
    // headers) where they were: how the page reads on its own.
    const margins = p.margins || [];
    const whole = [...margins.filter((m) => m.at !== 'bottom').map((m) => m.text), p.text || '',
      ...margins.filter((m) => m.at === 'bottom').map((m) => m.text)].filter((t) => t).join('\n\n');
    const text = document.createElement('pre');
    text.className = 'page-text';
    text.textContent = p.error ? 'failed: ' + p.error : (whole || '(no text on this page)');
    content.append(text);
    if (!p.error) {
      const md = document.createElement('div');
      md.className = 'page-md';
      if (p.format === 'markdown') {
        md.append(renderMarkdown(whole));
      } else {
        md.append(paragraph(whole));  // --layout none: lines as they came
        md.firstChild.style.whiteSpace = 'pre-wrap';
      }
      if (!whole) md.textContent = '(no text on this page)';
      content.append(md);
      if (p.boxes && p.boxes.width && p.boxes.height && (p.boxes.blocks || []).length) {
        li.classList.add('has-lines');
        content.append(linesView(p.boxes, figure));
      }
    }
    body.append(content);
    li.append(body);
    li.classList.remove('pending');
    li.style.minHeight = '';
    if (p.boxes && p.boxes.width) this.pageHeight = li.offsetHeight;  // its image's height is known
    if (figure) loadPageImage(this, figure, p.page);
  }
  finish(summary) {
    this.total = summary.pages;
    this.setState(summary.status);
    this.progress();
    const failed = summary.pages_failed ? `, ${summary.pages_failed} failed` : '';
    this.meta(`${formatBytes(this.file.size)} · ${summary.pages_done} / ${summary.pages} pages${failed} · ${summary.seconds.toFixed(2)} s`);
    this.node.querySelector('.cancel').disabled = true;
    const canDownload = summary.status === 'done' && this.id;
    for (const b of ['.dl-md', '.dl-jsonl', '.dl-hocr', '.dl-alto', '.dl-pdf']) {
      this.node.querySelector(b).disabled = !canDownload;
    }
  }
  async cancel() {
    if (this.id) await fetch('/v1/jobs/' + this.id, { method: 'DELETE', headers: authHeaders() }).catch(() => {});
    this.controller.abort();
    this.setState('cancelled');
    this.node.querySelector('.cancel').disabled = true;
  }
  async download(format, ext) {
    const r = await fetch(`/v1/jobs/${this.id}/result?format=${format}`, { headers: authHeaders() });
    if (!r.ok) { this.error(await errorMessage(r)); return; }
    const blob = await r.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = this.file.name.replace(/\.[^.]+$/, '') + '.' + ext;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }
}

async function errorMessage(r) {
  try {
    const j = await r.json();
    return `${r.status}: ${j.error.message}`;
  } catch (e) {
    return `HTTP ${r.status}`;
  }
}

async function upload(file) {
  const view = new DocView(file);
  // boxes=1: each page line carries its blocks, lines and words with boxes.
  const params = new URLSearchParams({ format: 'ndjson', filename: file.name, boxes: '1' });
  for (const k of ['engine', 'lang', 'dpi']) if ($(k).value) params.set(k, $(k).value);
  let r;
  try {
    // URLSearchParams writes a space as '+', which the server reads as a plus (RFC 3986;
    // docs/http-api.md, Limits); a literal '+' it writes as %2B.
    r = await fetch('/v1/ocr?' + params.toString().replace(/\+/g, '%20'), {
      method: 'POST', body: file, signal: view.controller.signal,
      headers: authHeaders({ 'Content-Type': file.type || 'application/octet-stream' }),
    });
  } catch (e) {
    if (view.node.dataset.state !== 'cancelled') { view.setState('failed'); view.error('upload failed: ' + e.message); }
    return;
  }
  if (!r.ok) {
    if (r.status === 401) needToken();
    view.setState(r.status === 429 ? 'refused' : 'failed');
    const retry = r.headers.get('Retry-After');
    view.error(await errorMessage(r) + (retry ? ` — retry in ${retry} s` : ''));
    view.node.querySelector('.cancel').disabled = true;
    return;
  }
  view.id = r.headers.get('X-Job-Id');
  view.setState('running');
  view.meta(formatBytes(file.size) + ' · recognizing');
  refreshStatus();
  fetch('/v1/jobs/' + view.id, { headers: authHeaders() }).then((s) => (s.ok ? s.json() : null)).then((j) => {
    if (j && !view.total) {
      view.total = j.pages;
      view.meta(`${formatBytes(file.size)} · ${view.pages} / ${view.total} pages`);
      view.progress();
    }
  }).catch(() => {});
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const msg = JSON.parse(line);
        if (msg.type === 'page') view.addPage(msg);
        else if (msg.type === 'summary') view.finish(msg);
      }
    }
  } catch (e) {
    if (view.node.dataset.state !== 'cancelled') { view.setState('failed'); view.error('stream broken: ' + e.message); }
  }
  refreshStatus();
}

// ---- picking and dropping files ----
$('file').addEventListener('change', (e) => {
  for (const f of e.target.files) upload(f);
  e.target.value = '';
});
const drop = $('drop');
['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); }));
['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove('over'); }));
drop.addEventListener('drop', (e) => { for (const f of e.dataTransfer.files) upload(f); });
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => e.preventDefault());
