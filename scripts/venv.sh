#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 found on this machine and installs requirements/$1.txt.
# Re-running is cheap: it installs again only when the requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
req="requirements/${1:-base}.txt"

find_python() {
  local candidates=(python3.13 python3.12 python3 python)
  if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])' | sort -V); do
      candidates=("$(pyenv root)/versions/$v/bin/python3" "${candidates[@]}")
    done
  fi
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$py"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  py=$(find_python) || { echo "Longcode needs Python 3.12 or newer; none was found on PATH or in pyenv." >&2; exit 1; }
  echo "==> creating .venv with $($py --version)"
  rm -rf .venv
  "$py" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

stamp=".venv/.installed-$(basename "$req" .txt)"
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ] || [ requirements/base.txt -nt "$stamp" ]; then
  echo "==> installing $req"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
