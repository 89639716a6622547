#!/usr/bin/env bash
# Non-test lines of the four resource files before and after issue #7 (typed models).
# Non-test: the lines before the first `#[cfg(test)]`. "before" is the brief's count (lines
# before the tests, blank ones included, at the issue); its non-blank count is read from the
# commit the issue was filed against (ORIGINAL, override with the first argument).
# Goal: "now" at most 60% of "before", by either count.
set -euo pipefail
cd "$(dirname "$0")/.."

original=${1:-d1a4554}

# Lines before the first #[cfg(test)] of stdin: "<all> <non-blank>".
count() {
  # Reads to the end (no early exit), so that `git show` feeding it is not cut off.
  awk '/^#\[cfg\(test\)\]/ { done = 1 } !done { all++; if (NF) nb++ } END { printf "%d %d\n", all, nb }'
}

printf '%-48s %7s %7s %7s %7s %6s %s\n' file before now b.nonbl nonbl share goal
status=0
while read -r file before; do
  read -r now_all now_nb < <(count < "src/provider/$file")
  if before_nb=$(git show "$original:src/provider/$file" 2>/dev/null | count); then
    before_nb=${before_nb#* }
  else
    before_nb=-
  fi
  share=$(awk -v n="$now_all" -v b="$before" 'BEGIN { printf "%.0f%%", 100 * n / b }')
  ok=ok
  if [ $((now_all * 10)) -gt $((before * 6)) ]; then ok=MISSED; status=1; fi
  if [ "$before_nb" != - ] && [ $((now_nb * 10)) -gt $((before_nb * 6)) ]; then ok=MISSED; status=1; fi
  printf '%-48s %7s %7s %7s %7s %6s %s\n' "$file" "$before" "$now_all" "$before_nb" "$now_nb" "$share" "$ok"
done <<'LIST'
api_token_resource.rs 968
oidc_app_resource.rs 1110
oidc_app_redirect_uri_resource.rs 540
oidc_app_refresh_grant_resource.rs 485
LIST
exit "$status"
