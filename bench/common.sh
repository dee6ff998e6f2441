# Shared set-up of the bench/*.sh scripts (sourced, from the repository root).
#
#   peer_venv PACKAGE…   bench/.venv with these PyPI packages (local venv, nothing installed
#                        globally; PYTHON creates it, default python3); sets PY
#   build_bench          swift build -c release --product tissue-bench in SCRATCH (default .build,
#                        BUILD_JOBS for -j); sets BIN

peer_venv() {
    VENV=bench/.venv
    PY=$VENV/bin/python
    local imports
    imports=$(printf '%s, ' "$@"); imports=${imports%, }
    if ! { [ -x "$PY" ] && "$PY" -c "import $imports" 2>/dev/null; }; then
        echo "== creating $VENV ($imports)" >&2
        [ -x "$PY" ] || "${PYTHON:-python3}" -m venv "$VENV"
        "$PY" -m pip install --quiet --disable-pip-version-check "$@"
    fi
}

build_bench() {
    SCRATCH=${SCRATCH:-.build}
    echo "== swift build -c release --product tissue-bench --scratch-path $SCRATCH" >&2
    swift build -c release --product tissue-bench --scratch-path "$SCRATCH" ${BUILD_JOBS:+-j "$BUILD_JOBS"} >&2
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/tissue-bench
}
