#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (ASan + libFuzzer) and runs each for a number of
# executions or seconds, one at a time and single-process, then prints executions and crashes
# per target. See Fuzz/README.md.
#
#   scripts/fuzz.sh --runs 1000000                # every target, 10^6 executions each
#   scripts/fuzz.sh --seconds 120 toml csv        # two targets, 2 minutes each
#   scripts/fuzz.sh --build-only                  # just build .build-fuzz/bin/fuzz-*
#   scripts/fuzz.sh --seeds                       # regenerate the HDF5 (and derived PNG) seed files in Fuzz/Corpus
#
# Targets: toml csv png model training-set upscaled dns-tissue checkpoint. Crash inputs land in .build-fuzz/crashes/TARGET/;
# reproduce one with `.build-fuzz/bin/fuzz-TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(toml csv png model training-set upscaled dns-tissue checkpoint)
RUNS=""; SECONDS_PER_TARGET=""; BUILD_ONLY=0; SEEDS=0; TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --seeds) SEEDS=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
if [ $BUILD_ONLY -eq 0 ] && [ $SEEDS -eq 0 ] && [ -z "$RUNS" ] && [ -z "$SECONDS_PER_TARGET" ]; then
  echo "give --runs N and/or --seconds S (or --build-only, --seeds)" >&2; exit 2
fi

SCRATCH=.build-fuzz
BIN=$SCRATCH/bin
NICE="nice -n 5"
export SWIFT_BACKTRACE=enable=no   # the Swift crash handler trips ASan; libFuzzer prints the stack
# Foundation leaks a read buffer per file read; no allocation stacks (replay a crash input with
# ASAN_OPTIONS=detect_leaks=0 for the full report): 1.25x more executions per second.
export ASAN_OPTIONS="detect_leaks=0:malloc_context_size=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
mkdir -p "$BIN"

# 1. The package's library modules, instrumented (ASan + libFuzzer coverage), no executables.
#    -enable-testing: the HDF5 harness edits files through HDF5Kit internals.
echo "== building the package modules with -sanitize=address,fuzzer into $SCRATCH (a few minutes the first time)"
$NICE swift build --scratch-path "$SCRATCH" -c release --target Workflows -j 2 \
  --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing 2>&1 \
  | grep -E "error|Compiling|complete" || true
MODULES="$SCRATCH/release/Modules"
[ -d "$MODULES" ] || { echo "build failed: no $MODULES" >&2; exit 1; }

OBJECTS=()
for m in HDF5Kit Numerics NeuralNet Closure Macroscale Microscale Averaging Surrogate Plotting Config Scenario Workflows; do
  OBJECTS+=("$SCRATCH"/release/$m.build/*.o)
done
read -r -a PKG_FLAGS <<< "$(pkg-config --cflags --libs hdf5-serial openblas)"
CFLAGS=(); LIBS=()
for f in "${PKG_FLAGS[@]}"; do
  case "$f" in -I*) CFLAGS+=(-Xcc "$f") ;; *) LIBS+=("$f") ;; esac
done

source_of() {
  case "$1" in
    toml) echo Fuzz/Targets/FuzzTOML.swift ;;
    csv) echo Fuzz/Targets/FuzzCSV.swift ;;
    png) echo Fuzz/Targets/FuzzPNG.swift ;;
    model) echo "Fuzz/Targets/FuzzModelFile.swift Fuzz/Support/HDF5Mutation.swift" ;;
    training-set) echo "Fuzz/Targets/FuzzTrainingSetFile.swift Fuzz/Support/HDF5Mutation.swift" ;;
    upscaled) echo "Fuzz/Targets/FuzzUpscaledFile.swift Fuzz/Support/HDF5Mutation.swift" ;;
    dns-tissue) echo "Fuzz/Targets/FuzzTissueDNSFile.swift Fuzz/Support/HDF5Mutation.swift" ;;
    checkpoint) echo "Fuzz/Targets/FuzzCheckpointFile.swift Fuzz/Support/HDF5Mutation.swift" ;;
    *) echo "unknown target $1 (targets: ${ALL_TARGETS[*]})" >&2; exit 2 ;;
  esac
}

# 2. One executable per target: its entry point + shared support, linked with the module objects.
for t in "${TARGETS[@]}"; do
  # shellcheck disable=SC2046
  inputs=($(source_of "$t") Fuzz/Support/FuzzSupport.swift "${OBJECTS[@]}")
  if [ -x "$BIN/fuzz-$t" ] && [ -z "$(find "${inputs[@]}" -newer "$BIN/fuzz-$t" | head -1)" ]; then
    continue   # up to date
  fi
  echo "== linking $BIN/fuzz-$t"
  mkdir -p "$SCRATCH/logs"
  # shellcheck disable=SC2046
  if ! $NICE swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Fuzz_${t//-/_} \
    -I "$MODULES" -I Sources/CHDF5 -I Sources/CBLAS -I Sources/CSuiteSparse -I Sources/CZlib "${CFLAGS[@]}" \
    $(source_of "$t") Fuzz/Support/FuzzSupport.swift "${OBJECTS[@]}" \
    "${LIBS[@]}" -lhdf5_hl -lumfpack -lamd -lcolamd -lsuitesparseconfig -lz \
    -o "$BIN/fuzz-$t" > "$SCRATCH/logs/link-$t.log" 2>&1; then
    grep -v "Cannot export local symbol" "$SCRATCH/logs/link-$t.log" >&2; exit 1
  fi
done
[ $BUILD_ONLY -eq 1 ] && exit 0

# 3. Seeds of the HDF5 targets are written by the targets themselves (valid files + edit lists).
# two_reader_seeds TARGET SECOND: seeds of a target with two readers. The target exports the first
# reader's seeds to Corpus/TARGET and the second's to Corpus/SECOND; the second's select their
# reader with byte 0 bit 1, and join Corpus/TARGET as SECOND-*.
two_reader_seeds() {
  local t=$1 second=$2 f
  rm -rf "Fuzz/Corpus/$t" "Fuzz/Corpus/$second"
  FUZZ_EXPORT_SEEDS=Fuzz/Corpus "$BIN/fuzz-$t" -runs=0 >/dev/null 2>&1
  for f in "Fuzz/Corpus/$second"/*; do
    python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[0]|=2; open(p,'wb').write(b)" "$f"
    mv "$f" "Fuzz/Corpus/$t/$second-$(basename "$f")"
  done
  rmdir "Fuzz/Corpus/$second"
}

if [ $SEEDS -eq 1 ]; then
  for t in "${TARGETS[@]}"; do
    case "$t" in
      png) FUZZ_EXPORT_SEEDS=Fuzz/Corpus/png "$BIN/fuzz-$t" -runs=0 >/dev/null 2>&1 ;;   # raw-idat-* from the valid PNGs
      model|upscaled|dns-tissue) rm -rf "Fuzz/Corpus/$t"; FUZZ_EXPORT_SEEDS="Fuzz/Corpus/$t" "$BIN/fuzz-$t" -runs=0 >/dev/null 2>&1 ;;
      training-set) two_reader_seeds training-set part ;;
      checkpoint) two_reader_seeds checkpoint transient ;;
    esac
  done
  echo "seeds written under Fuzz/Corpus"
  [ -z "$RUNS" ] && [ -z "$SECONDS_PER_TARGET" ] && exit 0
fi

# 4. Run each target alone, single process.
SUMMARY=()
STATUS=0
for t in "${TARGETS[@]}"; do
  corpus=$SCRATCH/corpus/$t; artifacts=$SCRATCH/crashes/$t; log=$SCRATCH/logs/$t.log
  # (not <scratch>/artifacts: SwiftPM empties that directory whenever it builds there)
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  args=(-timeout=10 -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -n "$RUNS" ] && args+=(-runs="$RUNS")
  [ -n "$SECONDS_PER_TARGET" ] && args+=(-max_total_time="$SECONDS_PER_TARGET")
  [ -f "Fuzz/Dictionaries/$t.dict" ] && args+=(-dict="Fuzz/Dictionaries/$t.dict")
  case "$t" in toml|csv|png) args+=(-max_len=4096) ;; esac
  echo "== fuzzing $t: ${args[*]}"
  start=$(date +%s)
  before=$(find "$artifacts" -type f | wc -l)
  set +e
  $NICE "$BIN/fuzz-$t" "${args[@]}" "$corpus" "Fuzz/Corpus/$t" > "$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  crashes=$(( $(find "$artifacts" -type f 2>/dev/null | wc -l) - before ))
  [ $rc -ne 0 ] && STATUS=1
  SUMMARY+=("$(printf '%-14s %12s executions %6ss  exit %-3s %s new crash/timeout/oom files' "$t" "${execs:-?}" "$secs" "$rc" "$crashes")")
  if [ $rc -ne 0 ]; then
    echo "   $t stopped (exit $rc); log: $log"; grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5 || true
  fi
done
echo
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $STATUS
