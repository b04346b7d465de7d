# Sourced by the scripts: sets PYTHON to an interpreter >= 3.12 (Django 6 needs it),
# preferring the version pinned in .python-version, and creates .venv with it.
find_python() {
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv which python 2>/dev/null || true)")
  fi
  local pinned; pinned="$(cat .python-version 2>/dev/null || true)"
  candidates+=("$HOME/.pyenv/versions/$pinned/bin/python" python3.13 python3.12 python3
               "$HOME"/.pyenv/versions/3.13*/bin/python "$HOME"/.pyenv/versions/3.12*/bin/python)
  for c in "${candidates[@]}"; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      PYTHON="$(command -v "$c")"; return 0
    fi
  done
  echo "vipdesk needs Python 3.12 or newer (python3.12 or python3.13 on PATH, or pyenv)." >&2
  return 1
}

ensure_venv() {
  find_python
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    rm -rf .venv
    "$PYTHON" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
}
