# shellcheck shell=bash disable=SC2034  # M_* are read by the scripts that source this
# bench/lib.sh — helpers shared by bench/peers, bench/memory and bench/textlayer.
# Source it from a bench script (which sets -euo pipefail itself):
#   . "$(dirname "$0")/lib.sh"
# Provides:
#   PAGEFLOW_BIN, CORPUS        binary and corpus locations (env overrides)
#   BENCH_TMP                   a fresh temp dir, removed on exit
#   measure NAME CMD...         run CMD under /usr/bin/time and a process-tree RSS sampler;
#                               sets M_RC, M_WALL (s, CMD's own, start to exit), M_CPU
#                               (s of user + system CPU of CMD and what it waited for),
#                               M_RSS_MIB (largest single process,
#                               from /usr/bin/time %M), M_TREE_MIB (peak of the sampled sum
#                               of RSS over the whole process tree, every 0.1 s)
#   extract_pages IN FIRST LAST OUT   write pages FIRST..LAST of PDF IN to OUT (ghostscript)
#   pdf_pages PDF               page count
#   ref_pages PDF N DIR         pdftotext -f p -l p for p=1..N into DIR/pNNNN.txt
#   cer HYP REF                 mean per-page CER; HYP/REF are each a directory of per-page
#                               .txt files (sorted by name) or one file with pages split by \f
#   ratio A B, fmt2 X           small arithmetic helpers

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAGEFLOW_BIN=${PAGEFLOW_BIN:-$BENCH_DIR/../build/src/cli/pageflow}
CORPUS=${CORPUS:-$BENCH_DIR/../../shared/corpus}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$PAGEFLOW_BIN" ] || die "pageflow binary not found at $PAGEFLOW_BIN (set PAGEFLOW_BIN or build it)"
[ -d "$CORPUS" ] || die "corpus not found at $CORPUS (set CORPUS)"
[ -x /usr/bin/time ] || die "/usr/bin/time is required (apt-get install time)"
command -v python3 >/dev/null || die "python3 is required"

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pageflow-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT

# Runs argv[2:] as a child, sums VmRSS over it and all its descendants every 0.1 s (in a
# thread), and writes "PEAK_KIB WALL_SECONDS CPU_SECONDS" to argv[1]: the wall time is the
# child's, from its start to its exit, without this interpreter's own start-up (0.1-0.7 s
# through a pyenv shim, which made every variant look slower by as much and ratios closer
# to 1); the CPU time is the child's and that of the descendants it waited for.
# Exits with the child's exit code.
_PY_TREEPEAK='
import os, subprocess, sys, threading, time
out, cmd = sys.argv[1], sys.argv[2:]
def tree_rss(root):
    kids, rss = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit(): continue
        try:
            with open("/proc/%s/stat" % d) as f: st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
            with open("/proc/%s/statm" % d) as f: pages = int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d)); rss[int(d)] = pages
    total, todo = 0, [root]
    while todo:
        p = todo.pop(); total += rss.get(p, 0); todo.extend(kids.get(p, []))
    return total * os.sysconf("SC_PAGE_SIZE") // 1024
t0 = time.monotonic()
child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
peak = [0]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss(child.pid)); done.wait(0.1)
sampler = threading.Thread(target=sample, daemon=True); sampler.start()
_, status, usage = os.wait4(child.pid, 0)
wall = time.monotonic() - t0
child.returncode = rc = os.waitstatus_to_exitcode(status)
done.set(); sampler.join()
cpu = usage.ru_utime + usage.ru_stime  # the child and the descendants it waited for
with open(out, "w") as f: f.write("%d %.3f %.3f\n" % (peak[0], wall, cpu))
sys.exit(rc if rc >= 0 else 128 - rc)
'

measure() {
  local name=$1; shift
  local tf="$BENCH_TMP/$name.time" pf="$BENCH_TMP/$name.tree"
  M_RC=0
  /usr/bin/time -o "$tf" -f '%M %e' python3 -c "$_PY_TREEPEAK" "$pf" "$@" || M_RC=$?
  # /usr/bin/time prepends "Command exited with non-zero status N" on failure.
  local kib tree_kib child_wall
  read -r kib M_WALL < <(tail -n 1 "$tf")
  read -r tree_kib child_wall M_CPU < <(cat "$pf" 2>/dev/null || echo "0 - -")
  # The command's own wall time (the sampler's), else /usr/bin/time's of the whole wrapper.
  [ -n "${child_wall:-}" ] && [ "$child_wall" != - ] && M_WALL=$child_wall
  M_CPU=${M_CPU:--}
  M_RSS_MIB=$(awk -v k="$kib" 'BEGIN{printf "%.0f", k/1024}')
  M_TREE_MIB=$(awk -v k="${tree_kib:-0}" 'BEGIN{printf "%.0f", k/1024}')
}

extract_pages() {  # IN FIRST LAST OUT
  gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -dFirstPage="$2" -dLastPage="$3" \
     -sOutputFile="$4" "$1" >/dev/null 2>&1 || die "ghostscript could not extract pages $2-$3 of $1"
}

# The pages' own objects, as they are in IN (qpdf). extract_pages's Ghostscript copy is
# redrawn (new fonts and content streams) and, from gs 10.00, has an xref that qpdf must
# repair, which sends pageflow's searchable-PDF writer down its rewrite path.
copy_pages() {  # IN FIRST LAST OUT
  qpdf --empty --pages "$1" "$2-$3" -- "$4" || die "qpdf could not copy pages $2-$3 of $1"
}

pdf_pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/{print $2}'; }

ref_pages() {  # PDF N DIR
  mkdir -p "$3"
  local p
  for ((p = 1; p <= $2; p++)); do pdftotext -enc UTF-8 -f "$p" -l "$p" "$1" "$(printf '%s/p%04d.txt' "$3" "$p")"; done
}

# Levenshtein by Hyyro's bit-parallel algorithm on Python big ints: O(n * m/64) word
# operations, so a 60k-character page takes well under a second. Text is NFC-normalized
# and whitespace runs (including \f) collapse to one space. CER = distance / len(ref);
# pages whose reference is empty are skipped (and counted).
_PY_CER='
import os, re, sys, unicodedata
def pages(path):
    if os.path.isdir(path):
        return [open(os.path.join(path, n), encoding="utf-8", errors="replace").read()
                for n in sorted(os.listdir(path)) if n.endswith(".txt")]
    t = open(path, encoding="utf-8", errors="replace").read().split("\f")
    if len(t) > 1 and t[-1].strip() == "": t.pop()
    return t
def norm(s): return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()
def lev(a, b):
    if not a: return len(b)
    if not b: return len(a)
    peq = {}
    for i, c in enumerate(a): peq[c] = peq.get(c, 0) | (1 << i)
    mask, top = (1 << len(a)) - 1, 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & top: score += 1
        elif mh & top: score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score
hyp, ref = pages(sys.argv[1]), pages(sys.argv[2])
if len(hyp) != len(ref):
    print("cer: warning: %d hypothesis pages vs %d reference pages" % (len(hyp), len(ref)), file=sys.stderr)
hyp += [""] * (len(ref) - len(hyp))
cers = []
for h, r in zip(hyp, ref):
    r = norm(r)
    if r: cers.append(lev(r, norm(h)) / len(r))
print("%.4f" % (sum(cers) / len(cers)) if cers else "nan")
'
cer() { python3 -c "$_PY_CER" "$1" "$2"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
fmt2() { awk -v x="$1" 'BEGIN{printf "%.2f", x}'; }
pages_per_s() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s > 0) printf "%.3f", n/s; else print "n/a" }'; }
# check VALUE OP TARGET -> "ok" / "MISS" (OP is ">=" or "<=")
check() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN{ ok = (op == ">=") ? (v >= t) : (v <= t); print (v == "n/a") ? "n/a" : (ok ? "ok" : "MISS") }'; }
