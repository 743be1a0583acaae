#!/usr/bin/env python3
"""Gymnasium's own heuristic controller on its LunarLander, for dopa's live Box2D reference test.

    heuristic_scores.py ENV_ID EPISODES OUT.csv

Plays EPISODES episodes (episode e from reset(seed=e)) with gymnasium.envs.box2d.lunar_lander's
heuristic and writes each episode's return, one per line. Exit status 3 when Gymnasium's Box2D
envs are not installed: the tests then skip.
"""
import sys

try:
    import gymnasium as gym
    from gymnasium.envs.box2d.lunar_lander import heuristic
except ImportError as error:
    print(f"heuristic_scores.py: {error}", file=sys.stderr)
    sys.exit(3)


def main():
    env_id, episodes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    env = gym.make(env_id)
    returns = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=episode)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(heuristic(env.unwrapped, obs))
            total += reward
            done = terminated or truncated
        returns.append(total)
    with open(out, "w") as f:
        f.writelines(f"{float(r)!r}\n" for r in returns)


if __name__ == "__main__":
    main()
