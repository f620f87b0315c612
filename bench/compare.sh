#!/usr/bin/env bash
# Times torii-convert against peer tools on the same generated inputs, in one run:
#   convert, 1,000,000-row CSV            vs  mlr --icsv --ojson cat        (Debian's miller)
#   convert, 200,000-row XLSX             vs  in2csv                        (Debian's csvkit)
#   validate, 100,000-user file (~38 MB)  vs  ajv validate --all-errors     (ajv-cli 5, ajv-formats)
# Each command runs RUNS times (default 3); the median wall time and peak memory are
# compared. Usage: bench/compare.sh [ROWS_CSV] [ROWS_XLSX] [USERS_JSON]
set -euo pipefail
cd "$(dirname "$0")/.."
rows_csv=${1:-1000000}
rows_xlsx=${2:-200000}
users_json=${3:-100000}
runs=${RUNS:-3}
out=bench/out
mkdir -p "$out"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: installing $2" >&2; apt-get install -y -qq "$2" >/dev/null; }; }
need mlr miller
need in2csv csvkit
[ -x /usr/bin/time ] || { echo "bench: installing time" >&2; apt-get install -y -qq time >/dev/null; }
if ! cmp -s bench/peers/package-lock.json "$out/peers/package-lock.json" || [ ! -x "$out/peers/node_modules/.bin/ajv" ]; then
  echo "bench: installing ajv-cli and ajv-formats" >&2
  mkdir -p "$out/peers" && cp bench/peers/package.json bench/peers/package-lock.json "$out/peers/"
  (cd "$out/peers" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi

go build -o "$out/torii-convert" ./cmd/torii-convert
[ -s "$out/members-$rows_csv.csv" ] || go run ./bench/gen -rows "$rows_csv" -csv "$out/members-$rows_csv.csv"
[ -s "$out/members-$rows_xlsx.xlsx" ] || go run ./bench/gen -rows "$rows_xlsx" -xlsx "$out/members-$rows_xlsx.xlsx"
[ -s "$out/file-$users_json.json" ] || go run ./bench/gen -rows "$users_json" -json "$out/file-$users_json.json"

# measure NAME CMD...: prints "median_seconds median_peak_kb" of RUNS runs.
measure() {
  local name=$1; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -q -f "%e %M" -o "$out/$name.time" "$@" > /dev/null 2>/dev/null || true # invalid files exit non-zero
    read -r t m < "$out/$name.time"
    times+=("$t"); mems+=("$m")
  done
  local mid=$(( runs / 2 ))
  echo "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$((mid+1))p") $(printf '%s\n' "${mems[@]}" | sort -n | sed -n "$((mid+1))p")"
}

report() { # LABEL OURS PEER TARGET_TIME TARGET_MEM
  read -r t1 m1 <<<"$2"; read -r t2 m2 <<<"$3"
  awk -v l="$1" -v t1="$t1" -v m1="$m1" -v t2="$t2" -v m2="$m2" -v tt="$4" -v tm="$5" 'BEGIN {
    printf "%-34s %7.2f s %7.0f MB   peer %7.2f s %7.0f MB   time %.2fx (target <= %s)   memory %.2fx%s\n",
      l, t1, m1/1024, t2, m2/1024, t1/t2, tt, m1/m2, (tm != "" ? " (target <= " tm ")" : "") }'
}

csv=$(measure convert-csv "$out/torii-convert" convert --template figma -q "$out/members-$rows_csv.csv")
mlr=$(measure mlr mlr --icsv --ojson cat "$out/members-$rows_csv.csv")
xlsx=$(measure convert-xlsx "$out/torii-convert" convert --template figma -q "$out/members-$rows_xlsx.xlsx")
in2csv=$(measure in2csv in2csv "$out/members-$rows_xlsx.xlsx")
# Both report every error of the file (one user in a hundred is wrong).
validate=$(measure validate "$out/torii-convert" validate --max-errors 0 --format json "$out/file-$users_json.json")
ajv=$(measure ajv "$out/peers/node_modules/.bin/ajv" validate --spec=draft2020 -c ajv-formats --all-errors --errors=json \
  -s schema/customIntegrationData.json -d "$out/file-$users_json.json")

echo "median of $runs runs on $(nproc) cores; outputs to /dev/null"
report "CSV $rows_csv rows vs Miller" "$csv" "$mlr" 0.4 0.5
report "XLSX $rows_xlsx rows vs in2csv" "$xlsx" "$in2csv" 0.2 ""
report "validate $users_json users vs ajv" "$validate" "$ajv" 1 1
