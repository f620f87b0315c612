#!/usr/bin/env bash
# Times torii-convert against peer tools and floors on the same generated inputs, in one run:
#   convert, 1,000,000-row CSV            vs  mlr --icsv --ojson cat        (Debian's miller)
#                                         and the floor: encoding/csv reading every record (bench/floor)
#   convert, 200,000-row XLSX             vs  in2csv                        (Debian's csvkit)
#                                         and the floor: inflating the sheet and shared strings (bench/floor)
#   validate, 100,000-user file (~38 MB)  vs  ajv validate --all-errors     (ajv-cli 5, ajv-formats,
#                                             --spec=draft2020: the schema is 2020-12), in four shapes:
#                                             one user in a hundred wrong; valid, users first; valid,
#                                             licenses first; valid but for 1,000 holders who are not users
#   diff of two converted exports         vs  convert of the 1,000,000-row CSV, timed just before
#     (the CSV, and the next month's:         (target: diff <= 2x convert)
#     a 97th of the rows gone, a 50th on
#     another seat, 1% new users)
#   report (text, json) of the first      vs  the same convert (target: report < 2x convert)
#   validate, 1,000,000-user files        vs  ajv, valid, users first and licenses first
#     (BIG_USERS, 0 to skip)
#   convert, 4,000,000-row CSV of about   vs  Miller: peak memory, and bytes per distinct user
#     3.8M distinct users (MEMORY_ROWS,       (target: <= 100)
#     0 to skip)
# Each command runs RUNS times (default 3); the median wall time and peak memory are
# compared, as ratios ours/theirs. Usage: bench/compare.sh [ROWS_CSV] [ROWS_XLSX] [USERS_JSON]
set -euo pipefail
cd "$(dirname "$0")/.."
rows_csv=${1:-1000000}
rows_xlsx=${2:-200000}
users_json=${3:-100000}
runs=${RUNS:-3}
big_users=${BIG_USERS:-1000000}
memory_rows=${MEMORY_ROWS:-4000000}
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
go build -o "$out/floor" ./bench/floor
[ -s "$out/members-$rows_csv.csv" ] || go run ./bench/gen -rows "$rows_csv" -csv "$out/members-$rows_csv.csv"
[ -s "$out/members-$rows_xlsx.xlsx" ] || go run ./bench/gen -rows "$rows_xlsx" -xlsx "$out/members-$rows_xlsx.xlsx"
[ -s "$out/file-$users_json.json" ] || go run ./bench/gen -rows "$users_json" -json "$out/file-$users_json.json"
[ -s "$out/valid-$users_json.json" ] || go run ./bench/gen -rows "$users_json" -wrong 0 -json "$out/valid-$users_json.json"
[ -s "$out/licenses-first-$users_json.json" ] || go run ./bench/gen -rows "$users_json" -wrong 0 -licenses-first -json "$out/licenses-first-$users_json.json"
# diff and report: the CSV converted, and a next export made from it and converted.
next_csv=$out/members-$rows_csv-next.csv
[ -s "$next_csv" ] || awk -F, -v OFS=, -v add=$((rows_csv / 100)) '
  NR == 1 { print; next }
  NR % 97 == 0 { next }
  NR % 50 == 0 { $4 = ($4 == "Full" ? "View" : "Full") }
  { print }
  END { for (i = 0; i < add; i++) printf "New Person,new%d@example.com,member,View,Designer,2026-11-01,2026-11-20 10:00,,Design,%d\n", i, 900000000 + i }
' "$out/members-$rows_csv.csv" > "$next_csv"
[ -s "$out/members-$rows_csv.json" ] || "$out/torii-convert" convert --template figma -q "$out/members-$rows_csv.csv" -o "$out/members-$rows_csv.json"
[ -s "$out/members-$rows_csv-next.json" ] || "$out/torii-convert" convert --template figma -q "$next_csv" -o "$out/members-$rows_csv-next.json"
[ -s "$out/ghosts-$users_json.json" ] || go run ./bench/gen -rows "$users_json" -wrong 0 -ghosts 1000 -json "$out/ghosts-$users_json.json"
if [ "$big_users" -gt 0 ]; then
  [ -s "$out/valid-$big_users.json" ] || go run ./bench/gen -rows "$big_users" -wrong 0 -json "$out/valid-$big_users.json"
  [ -s "$out/licenses-first-$big_users.json" ] || go run ./bench/gen -rows "$big_users" -wrong 0 -licenses-first -json "$out/licenses-first-$big_users.json"
fi
if [ "$memory_rows" -gt 0 ]; then
  [ -s "$out/members-$memory_rows.csv" ] || go run ./bench/gen -rows "$memory_rows" -csv "$out/members-$memory_rows.csv"
fi

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
    if (t2 < 0.01) t2 = 0.01 # /usr/bin/time counts hundredths: a tiny smoke run reads 0.00
    printf "%-44s %7.2f s %7.0f MB   peer %7.2f s %7.0f MB   time %.2fx (target <= %s)   memory %.2fx%s\n",
      l, t1, m1/1024, t2, m2/1024, t1/t2, tt, m1/m2, (tm != "" ? " (target <= " tm ")" : "") }'
}

# validate_vs_ajv LABEL FILE: validate and ajv on one file, both reporting every error.
validate_vs_ajv() {
  local name; name=$(basename "$2" .json)
  local ours theirs
  ours=$(measure "validate-$name" "$out/torii-convert" validate --max-errors 0 --format json "$2")
  theirs=$(measure "ajv-$name" "$out/peers/node_modules/.bin/ajv" validate --spec=draft2020 -c ajv-formats --all-errors --errors=json \
    -s schema/customIntegrationData.json -d "$2")
  report "$1" "$ours" "$theirs" 0.5 ""
}

csv=$(measure convert-csv "$out/torii-convert" convert --template figma -q "$out/members-$rows_csv.csv")
mlr=$(measure mlr mlr --icsv --ojson cat "$out/members-$rows_csv.csv")
csvfloor=$(measure csv-floor "$out/floor" -csv "$out/members-$rows_csv.csv")
xlsx=$(measure convert-xlsx "$out/torii-convert" convert --template figma -q "$out/members-$rows_xlsx.xlsx")
in2csv=$(measure in2csv in2csv "$out/members-$rows_xlsx.xlsx")
xlsxfloor=$(measure xlsx-floor "$out/floor" -xlsx "$out/members-$rows_xlsx.xlsx")

echo "median of $runs runs on $(nproc) cores; outputs to /dev/null"
report "CSV $rows_csv rows vs Miller" "$csv" "$mlr" 0.2 0.5
report "CSV $rows_csv rows vs the encoding/csv floor" "$csv" "$csvfloor" 2.5 ""
report "XLSX $rows_xlsx rows vs in2csv" "$xlsx" "$in2csv" 0.2 ""
report "XLSX $rows_xlsx rows vs the inflate floor" "$xlsx" "$xlsxfloor" 3 ""
validate_vs_ajv "validate $users_json users, 1% wrong, vs ajv" "$out/file-$users_json.json"
validate_vs_ajv "validate $users_json users, users first" "$out/valid-$users_json.json"
validate_vs_ajv "validate $users_json users, licenses first" "$out/licenses-first-$users_json.json"
validate_vs_ajv "validate $users_json users, 1,000 ghosts" "$out/ghosts-$users_json.json"
# diff and report against convert of the same CSV, measured again just before them, so
# that the ratios come from the same minutes.
conv=$(measure convert-csv-again "$out/torii-convert" convert --template figma -q "$out/members-$rows_csv.csv")
diffm=$(measure diff "$out/torii-convert" diff "$out/members-$rows_csv.json" "$out/members-$rows_csv-next.json") # exits 8: they differ
reptext=$(measure report-text "$out/torii-convert" report "$out/members-$rows_csv.json")
repjson=$(measure report-json "$out/torii-convert" report --format json "$out/members-$rows_csv.json")
report "diff of two $rows_csv-row exports vs convert" "$diffm" "$conv" 2 ""
report "report (text) of $rows_csv rows vs convert" "$reptext" "$conv" 2 ""
report "report (json) of $rows_csv rows vs convert" "$repjson" "$conv" 2 ""
if [ "$big_users" -gt 0 ]; then
  validate_vs_ajv "validate $big_users users, users first" "$out/valid-$big_users.json"
  validate_vs_ajv "validate $big_users users, licenses first" "$out/licenses-first-$big_users.json"
fi
# Memory a distinct user costs: peak RSS over the users the conversion reports.
if [ "$memory_rows" -gt 0 ]; then
  big=$(measure convert-memory "$out/torii-convert" convert --template figma -q "$out/members-$memory_rows.csv")
  mlrbig=$(measure mlr-memory mlr --icsv --ojson cat "$out/members-$memory_rows.csv")
  users=$("$out/torii-convert" convert --template figma -q --format json -o /dev/null "$out/members-$memory_rows.csv" |
    sed -n 's/.*"users":\([0-9]*\).*/\1/p')
  report "CSV $memory_rows rows ($users users) vs Miller" "$big" "$mlrbig" "-" ""
  read -r _ kb <<<"$big"
  awk -v kb="$kb" -v u="$users" 'BEGIN { printf "%-44s %7.1f bytes of peak memory a distinct user (target <= 100)\n", "CSV " u " users", kb * 1024 / u }'
fi
