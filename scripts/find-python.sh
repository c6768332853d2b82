#!/usr/bin/env bash
# Prints the path of the first Python interpreter that is at least MIN_PYTHON (default 3.12).
#
# Usage: scripts/find-python.sh [CANDIDATE...]
#   With no arguments the default candidates below are tried, in order.
#   The Makefile passes $(PYTHON) here, so `make PYTHON=/some/python run` pins one interpreter
#   and `make PYTHON= run` (an empty list) shows the "not found" message.
#
# Each candidate is actually executed: a pyenv shim such as python3.12 exists on PATH even when
# pyenv will refuse to run it, so "command -v" alone proves nothing.
set -euo pipefail

min="${MIN_PYTHON:-3.12}"
min_major="${min%%.*}"
min_minor="${min#*.}"

if [ "$#" -eq 0 ] && [ -z "${FIND_PYTHON_EXPLICIT:-}" ]; then
    set -- python3.13 python3.12
    # Interpreters built by pyenv, newest first; the glob is left unexpanded when nothing matches.
    for p in $(printf '%s\n' "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python | sort -rV); do
        set -- "$@" "$p"
    done
    set -- "$@" /usr/bin/python3 python3
fi

tried=()
for candidate in "$@"; do
    [ -n "$candidate" ] || continue
    tried+=("$candidate")
    command -v "$candidate" >/dev/null 2>&1 || continue
    # Print the interpreter's real path so the venv does not point at a shim.
    if exe="$("$candidate" -c "
import sys
sys.exit(0 if sys.version_info >= ($min_major, $min_minor) else 1)
" 2>/dev/null && "$candidate" -c 'import sys; print(sys.executable)' 2>/dev/null)" && [ -n "$exe" ]; then
        printf '%s\n' "$exe"
        exit 0
    fi
done

{
    echo "error: reformtracker needs Python >= $min (pyproject.toml: requires-python), but none was found."
    if [ "${#tried[@]}" -gt 0 ]; then
        echo "  tried: ${tried[*]}"
        for candidate in "${tried[@]}"; do
            if command -v "$candidate" >/dev/null 2>&1; then
                v="$("$candidate" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo 'does not run')"
                echo "    $candidate: $v"
            fi
        done
    else
        echo "  tried: (no candidates given)"
    fi
    echo "  Install Python $min or newer (e.g. 'pyenv install 3.12', or Debian 13's python3),"
    echo "  or point the Makefile at one: make PYTHON=/path/to/python3.12 ..."
} >&2
exit 1
