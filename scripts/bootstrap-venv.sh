#!/usr/bin/env bash
# Makes .venv usable: creates it (only when missing or broken), puts uv in it with pip, then lets
# uv install the project with its [test] extra (uv is several times faster than pip).
#
# Usage:
#   scripts/bootstrap-venv.sh check             drop .venv if its interpreter is gone or too old
#   scripts/bootstrap-venv.sh install [PYTHON…]  create .venv if needed, then install everything
#
# The Makefile calls `check` on every run and `install` only when its stamp file is out of date
# (see Makefile: $(STAMP)), so a second `make run` installs nothing.
# PYTHON… are interpreter candidates for scripts/find-python.sh (see there).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
min="${MIN_PYTHON:-3.12}"
constraints="requirements/constraints.txt"

healthy() {
    [ -f "$venv/pyvenv.cfg" ] && "$venv/bin/python" -c "
import sys
sys.exit(0 if sys.version_info >= tuple(int(p) for p in '$min'.split('.')) else 1)
" >/dev/null 2>&1
}

case "${1:-}" in
check)
    if [ -e "$venv" ] && ! healthy; then
        echo "$venv is broken (interpreter missing or older than $min): removing it." >&2
        rm -rf "$venv"
    fi
    ;;
install)
    shift
    if ! healthy; then
        python="$(scripts/find-python.sh "$@")"
        echo "Creating $venv with $python ($("$python" -c 'import sys; print(sys.version.split()[0])'))"
        rm -rf "$venv"
        if ! "$python" -m venv "$venv"; then
            rm -rf "$venv"
            echo "error: '$python -m venv' failed. On Debian/Ubuntu install the matching" \
                "python3.X-venv package, or pick another interpreter with make PYTHON=..." >&2
            exit 1
        fi
    fi
    if ! "$venv/bin/python" -m uv --version >/dev/null 2>&1; then
        # pip may print warnings about this machine's extra index locations; they are harmless.
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
    fi
    args=(-e ".[test]")
    # Pinned versions (make lock) keep a fresh clone reproducible, e.g. ruff's formatting.
    # Constraints only pin what they list: a dependency added to pyproject.toml but not yet locked
    # still installs (at its newest version).
    [ -f "$constraints" ] && args+=(--constraint "$constraints")
    echo "Installing Python dependencies into $venv with uv"
    UV_LINK_MODE="${UV_LINK_MODE:-copy}" \
        "$venv/bin/python" -m uv pip install --quiet --python "$venv/bin/python" "${args[@]}"
    ;;
*)
    echo "usage: $0 check | install [PYTHON...]" >&2
    exit 2
    ;;
esac
