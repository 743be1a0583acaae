#!/usr/bin/env python3
"""Records trajectories of Gymnasium's own envs, for dopa's live reference tests.

    record.py ENV_ID OUT.csv [--episodes 3] [--max-steps 200] [--seed 0]

Episode e starts with env.reset(seed=seed + e); its actions are drawn from the action space seeded
with seed (one stream over all episodes). An episode ends where Gymnasium ends it, or after
--max-steps steps (then its last row has terminated = truncated = 0).

The CSV has the columns of shared/reference/golden (its README): episode, t, action or
action_0.., obs_0.., reward, terminated, truncated, state_0.., and for the MuJoCo envs the numeric
entries of each step's info as info_<key>. Row t = 0 is the reset. state is env.unwrapped.state for
classic control and qpos then qvel for MuJoCo. Numbers are Python repr: strtod reads them exactly.

Exit status 3 when Gymnasium (or the env's extra) is not installed: the tests then skip.
"""
import argparse
import csv
import sys

try:
    import gymnasium as gym
    import numpy as np
except ImportError as error:
    print(f"record.py: {error}", file=sys.stderr)
    sys.exit(3)


def state_of(env):
    inner = env.unwrapped
    if hasattr(inner, "data"):  # MuJoCo
        return np.concatenate([inner.data.qpos, inner.data.qvel])
    return np.asarray(inner.state, dtype=np.float64)


def numbers(values):
    return [repr(float(v)) for v in np.ravel(values)]


def info_columns(info):
    return sorted(k for k, v in info.items() if np.ndim(v) == 0 and not isinstance(v, (bool, np.bool_)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env_id")
    parser.add_argument("out")
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        env = gym.make(args.env_id)
    except (gym.error.DependencyNotInstalled, ImportError) as error:
        print(f"record.py: {args.env_id}: {error}", file=sys.stderr)
        sys.exit(3)
    discrete = isinstance(env.action_space, gym.spaces.Discrete)
    env.action_space.seed(args.seed)

    rows = []
    info_keys = None
    for episode in range(args.episodes):
        obs, _ = env.reset(seed=args.seed + episode)
        rows.append(dict(episode=episode, t=0, action=None, obs=obs, reward=None, terminated=False,
                         truncated=False, state=state_of(env), info={}))
        for t in range(1, args.max_steps + 1):
            action = env.action_space.sample()
            obs, reward, terminated, truncated, info = env.step(action)
            if info_keys is None:
                info_keys = info_columns(info) if hasattr(env.unwrapped, "data") else []
            rows.append(dict(episode=episode, t=t, action=action, obs=obs, reward=reward,
                             terminated=terminated, truncated=truncated, state=state_of(env), info=info))
            if terminated or truncated:
                break

    first = rows[1]
    header = ["episode", "t"]
    header += ["action"] if discrete else [f"action_{i}" for i in range(np.size(first["action"]))]
    header += [f"obs_{i}" for i in range(np.size(first["obs"]))]
    header += ["reward", "terminated", "truncated"]
    header += [f"state_{i}" for i in range(np.size(first["state"]))]
    header += [f"info_{k}" for k in info_keys or []]
    with open(args.out, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            if row["action"] is None:
                action = [""] if discrete else [""] * np.size(first["action"])
            else:
                action = [str(int(row["action"]))] if discrete else numbers(row["action"])
            reward = "" if row["reward"] is None else repr(float(row["reward"]))
            info = [repr(float(row["info"][k])) if k in row["info"] else "" for k in info_keys or []]
            writer.writerow([row["episode"], row["t"], *action, *numbers(row["obs"]), reward,
                             int(row["terminated"]), int(row["truncated"]), *numbers(row["state"]), *info])


if __name__ == "__main__":
    main()
