#!/usr/bin/env bash
# The installed package, as a user of it sees it (issue 9): install dopa to a temporary prefix,
# build examples/custom_env against it, load the example as a plugin (which runs the env checker on
# it), roll it out, train on it both ways (plugin, compiled in), and refuse a missing plugin.
#
#   tests/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
[[ -x "$prefix/bin/dopa" ]] || fail "no bin/dopa installed"
[[ -f "$prefix/lib/cmake/dopa/dopaConfig.cmake" ]] || fail "no CMake package installed"
[[ -f "$prefix/include/dopa/core/env.h" ]] || fail "no headers installed"
[[ -f "$prefix/share/dopa/mujoco/half_cheetah.xml" ]] || fail "no MuJoCo models installed"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$source/examples/custom_env" -B "$work/example" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/example" >/dev/null
plugin="$work/example/libcontextual_bandit.so"
dopa=("$prefix/bin/dopa" --plugin "$plugin")

listed=$("${dopa[@]}" list envs)
[[ "$listed" == *"ContextualBandit-v0"* ]] || fail "the plugin's env is not listed"
# The installed program finds its MuJoCo models (share/dopa/mujoco) away from the source tree.
(cd "$work" && "$prefix/bin/dopa" rollout HalfCheetah-v5 --steps 3 --seed 0 >/dev/null) || fail "installed dopa cannot make HalfCheetah-v5"
rows=$("${dopa[@]}" rollout ContextualBandit-v0 --steps 40 --seed 0 | wc -l)
[[ "$rows" -gt 40 ]] || fail "rollout wrote $rows lines"

# Training: random play earns about 7.3 per 20-step episode, the best policy 18 (measured: 18.0).
cd "$source/examples/custom_env"
"${dopa[@]}" run contextual_bandit.toml --out "$work/run" --no-progress 2>/dev/null >/dev/null
final=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["final_return"])' "$work/run/summary.json")
awk -v r="$final" 'BEGIN {exit !(r > 12)}' || fail "plugin run: final return $final <= 12"
own=$("$work/example/train_contextual_bandit" contextual_bandit.toml "$work/own" 2>/dev/null | awk '/^mean return/ {print $NF}')
awk -v r="$own" 'BEGIN {exit !(r > 12)}' || fail "compiled-in run: final return $own <= 12"

# A missing plugin: status 2 and the reason.
status=0
out=$("$prefix/bin/dopa" --plugin "$work/missing.so" list envs 2>&1) || status=$?
[[ "$status" -eq 2 && "$out" == *"does not exist"* ]] || fail "missing plugin: status $status, '$out'"
echo "installed to $prefix; plugin and compiled-in runs: final return $final and $own"
