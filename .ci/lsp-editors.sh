#!/usr/bin/env bash
# connlint-lsp in real editors: headless Neovim 0.7 (push diagnostics, edits, code actions) and
# Emacs + eglot, through ../shared/tools' harnesses, on the incident-003 sample. Installs the
# editors from Debian when they are missing. Run from .ci/run after the build (needs dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tools="$root/../shared/tools"
if [ ! -x "$tools/nvim-lsp-diagnostics.sh" ]; then
  echo "../shared/tools not present: real-editor LSP checks skipped"
  exit 0
fi
need=()
command -v nvim >/dev/null || need+=(neovim)
command -v emacs >/dev/null || need+=(emacs-nox)
if ! emacs --batch -q --eval '(progn (package-initialize) (unless (locate-library "eglot") (kill-emacs 1)))' >/dev/null 2>&1; then need+=(elpa-eglot); fi
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

server="node $root/bin/connlint-lsp.js --stdio"
sample="$root/samples/incident-003-accept-loop/bad_server.cpp"
fixed="$root/samples/incident-003-accept-loop/fixed_server.cpp"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Pass when the report matches every pattern (python: exact JSON fields, not grep over pretty-print).
check() {
  local name="$1" report="$2" expr="$3"
  if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" "$report"; then
    echo "ok   $name"
  else
    echo "FAIL $name"; cat "$report"; exit 1
  fi
}
finding='lambda ds: [(d["line"], d["col"], d["severity"], d["code"], d["source"]) for d in ds]'

echo "== Neovim $(nvim --version | head -1 | cut -d' ' -f2): diagnostics"
"$tools/nvim-lsp-diagnostics.sh" "$server" "$sample" > "$work/nvim.json"
check "nvim: accept-loop-early-exit at 41:17 (Error)" "$work/nvim.json" \
  "($finding)(r['diagnostics']) == [(41, 17, 'Error', 'accept-loop-early-exit', 'connlint')] and r['diagnostics'][0]['message'].startswith(\"'return' leaves the accept loop after accept4() succeeded (line 37)\")"

"$tools/nvim-lsp-diagnostics.sh" "$server" "$fixed" > "$work/nvim-fixed.json"
check "nvim: fixed_server.cpp is clean" "$work/nvim-fixed.json" "r['diagnostics'] == []"

echo "== Neovim: diagnostics after edits"
"$tools/nvim-lsp-diagnostics.sh" --edit 40 '                // a comment line above the bug' "$server" "$sample" > "$work/nvim-shift.json"
check "nvim: a line inserted above moves the finding to 42" "$work/nvim-shift.json" \
  "($finding)(r['diagnostics_before']) == [(41, 17, 'Error', 'accept-loop-early-exit', 'connlint')] and ($finding)(r['diagnostics']) == [(42, 17, 'Error', 'accept-loop-early-exit', 'connlint')]"
"$tools/nvim-lsp-diagnostics.sh" --edit 41 '                continue;' "$server" "$sample" > "$work/nvim-edit.json"
check "nvim: inserting 'continue;' before the return clears it" "$work/nvim-edit.json" \
  "len(r['diagnostics_before']) == 1 and r['diagnostics'] == []"

echo "== Neovim: code actions"
"$tools/nvim-lsp-diagnostics.sh" --code-actions 1 --apply "$server" "$sample" > "$work/nvim-ca.json"
check "nvim: quick fix (preferred), disable comment, fix-all offered" "$work/nvim-ca.json" \
  "[(a['title'], a['kind'], a['is_preferred'], a['has_edit']) for a in r['code_actions']] == [(\"Replace 'return;' with 'continue;'\", 'quickfix', True, True), ('Disable accept-loop-early-exit for this line', 'quickfix', None, True), ('Fix all auto-fixable connlint problems', 'source.fixAll.connlint', None, True)]"
check "nvim: applied fix turns line 41 into 'continue;'" "$work/nvim-ca.json" \
  "r['applied'] == \"Replace 'return;' with 'continue;'\" and r['buffer_after'][40].startswith('                continue;  // BUG')"
# The applied buffer, analysed again by a fresh client: clean.
python3 -c "import json,sys; open(sys.argv[2],'w').write('\n'.join(json.load(open(sys.argv[1]))['buffer_after'])+'\n')" "$work/nvim-ca.json" "$work/applied_server.cpp"
"$tools/nvim-lsp-diagnostics.sh" "$server" "$work/applied_server.cpp" > "$work/nvim-applied.json"
check "nvim: the buffer after the fix has no findings" "$work/nvim-applied.json" "r['diagnostics'] == []"

echo "== Emacs + eglot: diagnostics"
"$tools/emacs-eglot-diagnostics.sh" "$server" "$sample" > "$work/eglot.json"
check "eglot: accept-loop-early-exit at 41:17 (Error)" "$work/eglot.json" \
  "($finding)(r['diagnostics']) == [(41, 17, 'Error', 'accept-loop-early-exit', 'connlint')]"
check "eglot: Flymake shows 'connlint [accept-loop-early-exit]: …' at 41:17" "$work/eglot.json" \
  "[(f['line'], f['col'], f['type']) for f in r['flymake']] == [(41, 17, 'eglot-error')] and r['flymake'][0]['text'].startswith(\"connlint [accept-loop-early-exit]: 'return' leaves the accept loop\")"
"$tools/emacs-eglot-diagnostics.sh" "$server" "$fixed" > "$work/eglot-fixed.json"
check "eglot: fixed_server.cpp is clean" "$work/eglot-fixed.json" "r['diagnostics'] == []"
echo "lsp editors: all checks passed"
